import t from 'tap'
import { request } from 'undici'
import { startSimulator } from '../helpers/simulator.js'
import { clusterLogin, nodeAnswering, setCookieValue } from './_cluster.js'

t.test('a stopped node takes its sessions with it; its clients are re-pinned to a running node', async (t) => {
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'cookie', cookie: 'INGRESSCOOKIE' } })
  const alice = await clusterLogin(sim, 'alice', 'alice-secret')
  const node1Value = setCookieValue(alice.res, 'INGRESSCOOKIE')

  await sim.control.stopNode(1)
  const moved = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: alice.cookie } }))
  t.same([moved.node, moved.res.status, moved.res.headers.get('x-ausername')], [2, 401, 'anonymous'], 'node 2 does not know the session')
  const node2Value = setCookieValue(moved.res, 'INGRESSCOOKIE')
  t.ok(node2Value, 'the balancer sets a new affinity cookie')
  t.not(node2Value, node1Value)

  const again = await clusterLogin(sim, 'alice', 'alice-secret', `INGRESSCOOKIE=${node2Value ?? ''}`)
  t.same(again.res.headers.getSetCookie().length, 1, 'pinned to node 2: only the session cookie')
  const pinned2 = `${again.cookie}; INGRESSCOOKIE=${node2Value ?? ''}`
  t.equal(sim.stats.nodes[2]?.calls.login, 1)

  await sim.control.startNode(1)
  const stale = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: alice.cookie } }))
  t.same([stale.node, stale.res.status], [1, 401], 'back on node 1, the old session is gone: an empty store after restart')
  const kept = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: pinned2 } }))
  t.same([kept.node, kept.res.status], [2, 200], 'the session on node 2 is untouched')
  t.equal(sim.stats.nodes[1]?.sessionsCreated, 1, 'the login before the stop')
})

t.test('every node stopped: the balancer answers 503; an exchange cut by a stop answers 502', async (t) => {
  const sim = await startSimulator(t, { nodes: 2 })
  const bob = await clusterLogin(sim, 'bob', 'bob-secret')
  t.match(bob.cookie, /INGRESSCOOKIE=/, 'several nodes default to ingress-nginx cookie affinity')

  sim.control.setLatency(5000)
  const inFlight = request(`${sim.url}/rest/api/2/myself`, { headers: { cookie: bob.cookie } })
  while (sim.stats.nodes[1]?.requests !== 2) await new Promise((resolve) => setTimeout(resolve, 10))
  await sim.control.stopNode(1)
  const cut = await inFlight
  t.equal(cut.statusCode, 502, 'the node died before answering')
  await cut.body.dump()
  sim.control.setLatency(0)

  await sim.control.stopNode(2)
  const none = await fetch(`${sim.url}/status`)
  t.equal(none.status, 503)
  await none.arrayBuffer()
  await sim.control.startNode(2)
  const back = await fetch(`${sim.url}/status`)
  t.equal(back.status, 200)
  t.same(await back.json(), { state: 'RUNNING' })
})

t.test('a node that dies while answering leaves a cut answer, never a short one that looks whole', async (t) => {
  const sim = await startSimulator(t, { nodes: 2 })
  const { cookie } = await clusterLogin(sim, 'alice', 'alice-secret')
  const size = 1024 * 1024 * 1024
  const down = await request(`${sim.url}/rest/api/2/attachment/content/${size}`, { headers: { cookie } })
  t.equal(down.statusCode, 200)
  let received = 0
  const outcome = await (async () => {
    for await (const chunk of down.body as AsyncIterable<Buffer>) {
      if (received === 0) await sim.control.stopNode(1)
      received += chunk.length
    }
    return 'ended'
  })().catch(() => 'cut')
  t.equal(outcome, 'cut')
  t.ok(received < size, 'short of the announced length')
})

t.test('node numbers are checked', async (t) => {
  const sim = await startSimulator(t, { nodes: 2 })
  await t.rejects(sim.control.stopNode(3), /node must be a number from 1 to 2, got 3/)
  await t.rejects(sim.control.startNode(0), RangeError)
  await t.rejects(sim.control.stopNode(1.5), /node must be a number/)
})

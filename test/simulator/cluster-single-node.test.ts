import t from 'tap'
import { buildSimulator } from '../../src/simulator/index.js'
import { startSimulator } from '../helpers/simulator.js'
import { clusterLogin } from './_cluster.js'

t.test('without cluster options: one Jira, no balancer, counters for node 1 beside the totals', async (t) => {
  const sim = await startSimulator(t)
  t.equal(sim.nodes, 1)
  const { res, cookie } = await clusterLogin(sim, 'alice', 'alice-secret')
  t.match(res.headers.getSetCookie(), [/^JSESSIONID=[0-9A-F]{32}; Path=\/; HttpOnly$/], 'the session cookie alone, no route suffix')
  t.equal(res.headers.getSetCookie().length, 1)
  const me = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie } })
  t.equal(me.status, 200)
  t.same(me.headers.getSetCookie(), [])
  t.same(sim.stats.nodes, { 1: { calls: { login: 1, myself: 1 }, sessionsCreated: 1, requests: 2 } })
  t.same(sim.stats.calls, { login: 1, myself: 1 })

  sim.control.resetStats()
  t.same(sim.stats.nodes, { 1: { calls: {}, sessionsCreated: 0, requests: 0 } }, 'reset clears the per-node counters too')
})

t.test('stopping the only node of a simulator without a balancer refuses connections and loses its sessions', async (t) => {
  const sim = await startSimulator(t)
  const { cookie } = await clusterLogin(sim, 'alice', 'alice-secret')
  const { port } = sim
  await sim.control.stopNode(1)
  await t.rejects(fetch(`${sim.url}/status`), 'refused')
  await sim.control.startNode(1)
  t.equal(sim.port, port, 'back on the same port')
  const me = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie } })
  t.equal(me.status, 401, 'the restarted Jira has no sessions')
  await me.arrayBuffer()
})

t.test('affinity with one node puts that node behind the balancer', async (t) => {
  const sim = await startSimulator(t, { affinity: { mode: 'cookie', cookie: 'SERVERID' } })
  const { res } = await clusterLogin(sim, 'bob', 'bob-secret')
  t.match(res.headers.getSetCookie()[1], /^SERVERID=/)
})

t.test('a node count that is not a whole number from 1 is refused', async (t) => {
  t.throws(() => buildSimulator({ nodes: 0 }), /nodes must be a whole number from 1, got 0/)
  t.throws(() => buildSimulator({ nodes: 2.5 }), RangeError)
})

import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { clusterLogin, nodeAnswering, setCookieLine, setCookieValue } from './_cluster.js'

const AUTH = '/rest/softwareplant-bigpicture/1.0/system/auth'

t.test('a login without the affinity cookie is assigned a node and pinned to it with an opaque cookie', async (t) => {
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'cookie', cookie: 'INGRESSCOOKIE' } })
  t.equal(sim.nodes, 2)
  const { res, cookie } = await clusterLogin(sim, 'alice', 'alice-secret')
  const line = setCookieLine(res, 'INGRESSCOOKIE') ?? ''
  t.match(line, /^INGRESSCOOKIE=[0-9a-f]{32}; Path=\/; HttpOnly$/, 'set like ingress-nginx, the value opaque')
  t.ok(setCookieValue(res, 'JSESSIONID'), 'the node set its session cookie too')
  t.equal(sim.stats.nodes[1]?.calls.login, 1, 'round robin starts at node 1')
  t.equal(sim.stats.nodes[1]?.sessionsCreated, 1)
  t.equal(sim.stats.nodes[2]?.requests, 0)

  for (let i = 0; i < 4; i++) {
    const auth = await fetch(`${sim.url}${AUTH}`, { headers: { cookie } })
    t.equal(auth.status, 200, `system/auth ${i + 1} reaches the node holding the session`)
    t.same(auth.headers.getSetCookie(), [], 'a pinned request is not re-assigned: no cookie')
    await auth.arrayBuffer()
  }
  t.equal(sim.stats.nodes[1]?.calls.auth, 4)
  t.equal(sim.stats.nodes[2]?.calls.auth, undefined)
  t.equal(sim.stats.calls.auth, 4, 'totals still count every node')
})

t.test('a session cookie without the affinity cookie, or pinned to the other node, is anonymous there', async (t) => {
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'cookie', cookie: 'ROUTEID' } })
  const alice = await clusterLogin(sim, 'alice', 'alice-secret')
  const sessionOnly = `JSESSIONID=${setCookieValue(alice.res, 'JSESSIONID') ?? ''}`

  const lost = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: sessionOnly } }))
  t.equal(lost.node, 2, 'no affinity cookie: the next node in turn')
  t.equal(lost.res.status, 401)
  t.equal(lost.res.headers.get('x-ausername'), 'anonymous')
  const node2 = setCookieValue(lost.res, 'ROUTEID') ?? ''
  t.not(node2, setCookieValue(alice.res, 'ROUTEID'), 'the answer pins the caller to node 2')

  const wrongPin = await fetch(`${sim.url}${AUTH}`, { headers: { cookie: `${sessionOnly}; ROUTEID=${node2}` } })
  t.equal(wrongPin.status, 401, "BigPicture's system/auth on the wrong node: not authenticated")
  t.equal(wrongPin.headers.get('x-ausername'), 'anonymous')
  await wrongPin.arrayBuffer()
  t.equal(sim.stats.nodes[2]?.calls.auth, 1)

  const garbage = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: `${alice.cookie.replace(/ROUTEID=[^;]+/, 'ROUTEID=1')}` } }))
  t.equal(garbage.node, 1, 'a value naming no node (a plain "1" is not one this balancer issues) is no pin: next node in turn')
  t.equal(garbage.res.status, 200, 'which happens to hold the session')
  t.equal(setCookieValue(garbage.res, 'ROUTEID'), setCookieValue(alice.res, 'ROUTEID'), "and the answer pins the caller with node 1's value")
})

t.test('setCookie: "every" sets the cookie on every answer, "session" only on answers that open a session', async (t) => {
  const every = await startSimulator(t, { nodes: 2, affinity: { mode: 'cookie', cookie: 'SERVERID', setCookie: 'every' } })
  const login = await clusterLogin(every, 'bob', 'bob-secret')
  const pinned = await fetch(`${every.url}/rest/api/2/myself`, { headers: { cookie: login.cookie } })
  t.equal(pinned.status, 200)
  t.equal(setCookieValue(pinned, 'SERVERID'), setCookieValue(login.res, 'SERVERID'), 'the same value again')

  const session = await startSimulator(t, { nodes: 2, affinity: { mode: 'cookie', cookie: 'SERVERID', setCookie: 'session' } })
  const status = await fetch(`${session.url}/status`)
  t.same(status.headers.getSetCookie(), [], 'an answer that opens no session carries no balancer cookie')
  const bob = await clusterLogin(session, 'bob', 'bob-secret')
  t.equal(bob.res.headers.getSetCookie().length, 2, 'the login answer carries JSESSIONID and SERVERID')
  t.equal(session.stats.nodes[2]?.calls.login, 1, 'the status check took node 1, the login node 2')
  const after = await fetch(`${session.url}/rest/api/2/myself`, { headers: { cookie: bob.cookie } })
  t.equal(after.status, 200)
  t.same(after.headers.getSetCookie(), [])
})

import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { clusterLogin, nodeAnswering, setCookieValue } from './_cluster.js'

t.test('jvmRoute: nodes suffix their session ids and the balancer routes by the suffix, with no cookie of its own', async (t) => {
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'jvmRoute' } })
  const first = await clusterLogin(sim, 'alice', 'alice-secret')
  const second = await clusterLogin(sim, 'bob', 'bob-secret')
  t.match(setCookieValue(first.res, 'JSESSIONID'), /^[0-9A-F]{32}\.node1$/)
  t.match(setCookieValue(second.res, 'JSESSIONID'), /^[0-9A-F]{32}\.node2$/, 'a cookieless login takes the next node in turn')
  t.equal(first.res.headers.getSetCookie().length, 1, 'only the session cookie')
  const loginBody = await fetch(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
  }).then(async (res) => await res.json() as { session: { value: string } })
  t.match(loginBody.session.value, /\.node1$/, 'the login body names the suffixed id too')

  for (let i = 0; i < 3; i++) {
    const alice = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: first.cookie } }))
    t.same([alice.node, alice.res.status, alice.res.headers.get('x-ausername')], [1, 200, 'alice'])
    const bob = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/system/auth`, { headers: { cookie: `other=x; ${second.cookie}` } }))
    t.same([bob.node, bob.res.status], [2, 200])
  }
  t.equal(sim.stats.nodes[2]?.calls.auth, 3)

  const moved = `JSESSIONID=${(setCookieValue(first.res, 'JSESSIONID') ?? '').replace(/node1$/, 'node2')}`
  const wrong = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: moved } }))
  t.same([wrong.node, wrong.res.status, wrong.res.headers.get('x-ausername')], [2, 401, 'anonymous'], "node 1's session named for node 2 is unknown there")

  const unknownRoute = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: 'JSESSIONID=ABC.node7' } }))
  t.equal(unknownRoute.res.status, 401, 'a suffix naming no node: next node in turn, anonymous')
})

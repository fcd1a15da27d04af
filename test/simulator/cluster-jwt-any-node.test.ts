import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { basic } from './_client.js'
import { clusterLogin, nodeAnswering, setCookieValue } from './_cluster.js'

const BP = '/rest/softwareplant-bigpicture/1.0'

t.test('tokens from one node are good on every node; refresh, revocation and users are shared', async (t) => {
  const sim = await startSimulator(t, { nodes: 3, affinity: { mode: 'jvmRoute' } })
  const logins = [
    await clusterLogin(sim, 'alice', 'alice-secret'),
    await clusterLogin(sim, 'alice', 'alice-secret'),
    await clusterLogin(sim, 'alice', 'alice-secret')
  ]
  t.same(logins.map(({ res }) => setCookieValue(res, 'JSESSIONID')?.slice(-5)), ['node1', 'node2', 'node3'], 'one session of alice on each node')
  t.equal(sim.stats.calls.login, 3)

  const auth = await fetch(`${sim.url}${BP}/system/auth`, { headers: { cookie: logins[0]?.cookie ?? '' } })
  t.equal(auth.status, 200)
  const tokens = await auth.json() as { authentication: string, refresh: string }

  for (const [index, { cookie }] of logins.entries()) {
    const boxes = await nodeAnswering(sim, () => fetch(`${sim.url}${BP}/box`, { headers: { cookie, authorization: tokens.authentication } }))
    t.same([boxes.node, boxes.res.status], [index + 1, 200], `node 1's token is accepted on node ${index + 1}`)
    const reauth = await nodeAnswering(sim, () => fetch(`${sim.url}${BP}/system/reauth`, { headers: { cookie, authorization: tokens.refresh } }))
    t.same([reauth.node, reauth.res.status], [index + 1, 200], `node 1's refresh token works on node ${index + 1}`)
  }

  sim.control.revokeAllTokens()
  const revoked = await nodeAnswering(sim, () => fetch(`${sim.url}${BP}/box`, { headers: { cookie: logins[2]?.cookie ?? '', authorization: tokens.authentication } }))
  t.same([revoked.node, revoked.res.status], [3, 401], 'a revocation reaches every node')

  sim.control.expireSessions('alice')
  const expired = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: logins[1]?.cookie ?? '' } })
  t.equal(expired.status, 401, 'expireSessions reaches every node')
  await expired.arrayBuffer()
})

t.test('failed logins count across nodes (one user directory): CAPTCHA after three on any nodes', async (t) => {
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'none' } })
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: basic('bob', 'wrong') } })
    t.equal(res.status, 401)
    await res.arrayBuffer()
  }
  t.same([sim.stats.nodes[1]?.calls.basic, sim.stats.nodes[2]?.calls.basic], [2, 1], 'round robin on every request')
  const denied = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal(denied.status, 403, 'the right password now meets the CAPTCHA, on node 2')
  t.equal(sim.stats.captchaChallenges, 1)
  await denied.arrayBuffer()

  sim.control.addPat('pat-1', 'alice')
  const pat = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: 'Bearer pat-1' } })
  t.equal(pat.status, 200, 'a PAT added once works on whichever node answers')
  t.same(pat.headers.getSetCookie().length, 1, 'no balancer cookie without affinity, only the session the PAT opened')
})

import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { clusterLogin, nodeAnswering, setCookieLine, setCookieValue } from './_cluster.js'

t.test('AWSALB-style: every answer sets a new value that keeps routing to the same node; old values route too', async (t) => {
  const sim = await startSimulator(t, { nodes: 3, affinity: { mode: 'rotating' } })
  const { res, cookie } = await clusterLogin(sim, 'alice', 'alice-secret')
  const line = setCookieLine(res, 'AWSALB') ?? ''
  const match = /^AWSALB=([A-Za-z0-9+/=]{80,}); Expires=([^;]+); Path=\/$/.exec(line)
  t.ok(match, `set like AWS: opaque value, Expires, Path=/ (${line.length} characters)`)
  const expires = Date.parse(match?.[2] ?? '')
  const days = (expires - Date.now()) / 86_400_000
  t.ok(days > 6.9 && days <= 7, 'expires in 7 days')
  t.equal(sim.stats.nodes[1]?.calls.login, 1)

  const first = setCookieValue(res, 'AWSALB') ?? ''
  let current = cookie
  const seen = new Set([first])
  for (let i = 0; i < 5; i++) {
    const answer = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: current } }))
    t.equal(answer.node, 1, `request ${i + 1} stays on node 1`)
    t.equal(answer.res.status, 200)
    const next = setCookieValue(answer.res, 'AWSALB') ?? ''
    t.notOk(seen.has(next), 'a value never seen before')
    seen.add(next)
    current = current.replace(/AWSALB=[^;]+/, `AWSALB=${next}`)
  }

  const stale = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: current.replace(/AWSALB=[^;]+/, `AWSALB=${first}`) } }))
  t.equal(stale.node, 1, 'the first value still routes to node 1')
  t.equal(stale.res.status, 200)

  const forged = await nodeAnswering(sim, () => fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: current.replace(/AWSALB=[^;]+/, `AWSALB=${first.slice(0, -4)}AAA=`) } }))
  t.equal(forged.node, 2, 'a value the balancer did not issue is no pin: next node in turn')
  t.equal(forged.res.status, 401)
  t.equal(sim.stats.nodes[3]?.requests, 0)
})

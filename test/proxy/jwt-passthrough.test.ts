import t from 'tap'
import { BP, call, loginCookie } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a caller that already sends a raw JWT is passed through untouched', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const cookie = await loginCookie(sim.url, 'alice', 'alice-secret')
  const tokens = await call(`${sim.url}${BP}/system/auth`, { headers: { cookie } })
  const jwt = (tokens.body as { authentication: string }).authentication
  sim.control.resetStats()

  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie, authorization: jwt } })
  t.equal(res.status, 200)
  t.equal(sim.stats.calls.auth ?? 0, 0, 'the proxy fetched no token of its own')

  sim.control.revokeAllTokens()
  const revoked = await call(`${proxy.url}${BP}/box`, { headers: { cookie, authorization: jwt } })
  t.equal(revoked.status, 401, "the caller's own token is its business: its 401 is relayed")
  t.equal(sim.stats.calls.reauth ?? 0, 0)
})

t.test('an APIToken authorization is passed through untouched', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const res = await call(`${proxy.url}${BP}/box`, { headers: { authorization: 'APIToken abc.def' } })
  t.equal(res.status, 401, 'the simulator does not know API tokens: its 401 reaches the caller')
  t.equal(sim.stats.calls.auth ?? 0, 0)
})

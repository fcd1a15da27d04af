import t from 'tap'
import { BP, basic, call, sleep, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// A Basic caller's session dies and its token falls due; its BigPicture request refreshes before
// use (the refresh token is revoked too) and asks system/auth with the dead session,
// and while that answer is on its way a plain Jira request of the same caller gets a new session
// from Jira (which falls back to the credentials). The refusal speaks of the old session only: the
// proxy must ask again with the new one, not take the new one's liveness as BigPicture refusing a
// live session (a 502 the caller could never fix).
t.test('a session replaced while system/auth refused the old one is asked with the new one', async (t) => {
  const sim = await startSimulator(t, { authTokenSeconds: 2 })
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const headers = { authorization: basic('bob', 'bob-secret') }
  t.equal((await call(`${proxy.url}${BP}/box`, { headers })).status, 200)
  sim.control.expireSessions('bob')
  sim.control.revokeAllTokens()
  sim.control.setAuthLatency(1000)
  // Past half the token's life: the next request refreshes before sending it.
  await sleep(1200)
  const auths = sim.stats.calls.auth ?? 0
  const bigPicture = call(`${proxy.url}${BP}/box`, { headers })
  await until(() => (sim.stats.calls.auth ?? 0) > auths)
  const jira = await call(`${proxy.url}/rest/api/2/myself`, { headers })
  t.equal(jira.status, 200, 'the plain Jira request got a new session from the credentials')
  const res = await bigPicture
  t.equal(res.status, 200, 'the BigPicture request is served on the new session')
  t.notMatch(JSON.stringify(res.body), /BIGPICTURE_AUTH_FAILED/, 'not taken for BigPicture refusing a live session')
  t.equal(sim.stats.calls.login, 1, 'no login beyond the first: the new session came with the Jira request')
})

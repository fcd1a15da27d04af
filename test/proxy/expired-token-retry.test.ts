import t from 'tap'
import { BP, call, loginCookie, sleep } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a token that expired anyway (no skew) is refreshed on the 401 and the request replayed once', async (t) => {
  const sim = await startSimulator(t, { authTokenSeconds: 1 })
  const proxy = await startProxy(t, { JIRA_URL: sim.url, TOKEN_REFRESH_SKEW_SECONDS: '0' })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  await sleep(2100)
  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(res.status, 200, 'the caller never sees the 401')
  t.equal(sim.stats.calls.auth + (sim.stats.calls.reauth ?? 0), 2, 'one refresh')
})

t.test('an expired refresh token leads to a fresh system/auth', async (t) => {
  const sim = await startSimulator(t, { authTokenSeconds: 2, refreshTokenSeconds: 2 })
  const proxy = await startProxy(t, { JIRA_URL: sim.url, TOKEN_REFRESH_SKEW_SECONDS: '0' })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  await sleep(3100)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(sim.stats.calls.auth, 2, 'a second system/auth')
  t.equal(sim.stats.calls.reauth ?? 0, 0, 'the dead refresh token was not even tried')
})

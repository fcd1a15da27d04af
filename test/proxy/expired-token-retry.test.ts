import t from 'tap'
import { BP, call, sleep } from '../helpers/clients.js'
import { cookieSession } from '../helpers/session.js'

// Jira's `exp` and its Date header are in whole seconds, so the proxy's view of an expiry lags the
// truth by up to a second: 3.1 s after a 2-second token was issued it is dead in Jira and in the
// proxy's view too, so the proxy refreshes before sending. (The 401-then-replay path is covered by
// revocation.test.ts, where the proxy cannot know.) A 1-second token would be flaky here: its
// successor can come back with a few milliseconds to live and cost a second refresh.
t.test('a token past its expiry (no skew) is refreshed once before use, and the caller never sees a 401', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, { authTokenSeconds: 2 }, { TOKEN_REFRESH_SKEW_SECONDS: '0' })
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  await sleep(3100)
  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(res.status, 200, 'the caller never sees the 401')
  t.equal(sim.stats.calls.auth + (sim.stats.calls.reauth ?? 0), 2, 'one refresh')
})

t.test('an expired refresh token leads to a fresh system/auth', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, { authTokenSeconds: 2, refreshTokenSeconds: 2 }, { TOKEN_REFRESH_SKEW_SECONDS: '0' })
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  await sleep(3100)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(sim.stats.calls.auth, 2, 'a second system/auth')
  t.equal(sim.stats.calls.reauth ?? 0, 0, 'the dead refresh token was not even tried')
})

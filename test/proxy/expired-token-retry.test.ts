import t from 'tap'
import { BP, call, sleep } from '../helpers/clients.js'
import { cookieSession } from '../helpers/session.js'

t.test('a token that expired anyway (no skew) is refreshed on the 401 and the request replayed once', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, { authTokenSeconds: 1 }, { TOKEN_REFRESH_SKEW_SECONDS: '0' })
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  await sleep(2100)
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

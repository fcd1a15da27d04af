import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { cookieSession } from '../helpers/session.js'

t.test('server-side revocation of the authentication token: reauth and a transparent retry', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAuthTokens()
  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(res.status, 200)
  t.equal(sim.stats.calls.reauth, 1)
  t.equal(sim.stats.calls.auth, 1)
  t.equal(sim.stats.rejectedTokens, 1, 'exactly one rejected attempt, then the replay')
})

t.test('revocation of both tokens: reauth fails, a fresh auth follows, then the retry', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAllTokens()
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(sim.stats.calls.reauth, 1)
  t.equal(sim.stats.calls.auth, 2)
})

t.test('when every refresh path fails the 401 reaches the caller after one retry, never a loop', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAllTokens()
  sim.control.setReauthMode('fail')
  sim.control.setAuthMode('anonymous')
  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(res.status, 401)
  t.equal(sim.stats.rejectedTokens, 1, 'one request reached BigPicture')
  t.equal(sim.stats.calls.reauth, 1)
  t.equal(sim.stats.calls.auth, 2)
})

import t from 'tap'
import { BP, call, loginCookie, sleep } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { cookieSession } from '../helpers/session.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a token close to its exp is refreshed with reauth before use: BigPicture never sees it expired', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, { authTokenSeconds: 4 }, { TOKEN_REFRESH_SKEW_SECONDS: '2' })
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(sim.stats.calls.reauth ?? 0, 0, 'no refresh while the token is fresh')
  await sleep(2600) // inside the skew window, before exp
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(sim.stats.calls.reauth, 1, 'refreshed once, ahead of expiry')
  t.equal(sim.stats.rejectedTokens, 0, 'no request was sent with an expired token')
  t.equal(sim.stats.calls.auth, 1)
})

t.test("expiry is read in Jira's clock: a Jira clock far ahead or behind changes nothing", async (t) => {
  for (const offset of [-3600, 3600]) {
    const sim = await startSimulator(t, { authTokenSeconds: 60, clockOffsetSeconds: offset })
    const proxy = await startProxy(t, { JIRA_URL: sim.url })
    const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
    for (let i = 0; i < 3; i++) t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
    t.equal(sim.stats.calls.auth, 1, `offset ${offset}: one auth`)
    t.equal(sim.stats.calls.reauth ?? 0, 0, `offset ${offset}: no needless refresh`)
    t.equal(sim.stats.rejectedTokens, 0, `offset ${offset}: never sent an expired token`)
  }
})

t.test('a refresh ahead of expiry that fails keeps using the token while it is still valid', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, { authTokenSeconds: 4 }, { TOKEN_REFRESH_SKEW_SECONDS: '2' })
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  await sleep(2600) // inside the skew window, before exp
  sim.control.setReauthMode('error500')
  sim.control.setAuthMode('error500')
  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(res.status, 200, 'the current token, valid for another second, still serves')
  t.equal(sim.stats.calls.reauth, 1, 'the refresh was tried')
  t.equal(sim.stats.rejectedTokens, 0)
})

import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { cookieSession } from '../helpers/session.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('50 concurrent requests of one identity after revocation cause at most one reauth', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAuthTokens()
  const answers = await Promise.all(Array.from({ length: 50 }, () => call(`${proxy.url}${BP}/box`, { headers: { cookie } })))
  t.same(answers.map((a) => a.status), Array(50).fill(200), 'every caller got 200')
  t.equal(sim.stats.calls.reauth, 1, 'exactly one reauth')
  t.equal(sim.stats.calls.auth, 1, 'no extra auth')
})

t.test('concurrent first requests of a Basic identity share one login and one auth', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const authorization = `Basic ${Buffer.from('bob:bob-secret').toString('base64')}`
  const answers = await Promise.all(Array.from({ length: 30 }, () => call(`${proxy.url}${BP}/box`, { headers: { authorization } })))
  t.same(answers.map((a) => a.status), Array(30).fill(200))
  t.equal(sim.stats.calls.login, 1, 'one login (single flight)')
  t.equal(sim.stats.calls.auth, 1, 'one auth (single flight)')
  const coalesced = (await call(`${proxy.url}/_proxy/metrics`)).body as string
  t.match(coalesced, /bigpicture_proxy_coalesced_waiters_total [1-9]/, 'waiters counted')
})

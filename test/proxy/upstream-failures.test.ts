import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { cookieSession } from '../helpers/session.js'

t.test('Jira down: 502 UPSTREAM_UNREACHABLE on both routes, healthz stays 200, readyz says not ready', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, {}, { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  await sim.control.setDown(true)
  t.teardown(() => sim.control.setDown(false))
  for (const [path, headers] of [[`${BP}/box`, { cookie }], ['/rest/api/2/myself', { cookie }], [`${BP}/box`, {}]] as const) {
    const res = await call(`${proxy.url}${path}`, { headers })
    t.equal(res.status, 502, path)
    t.same(res.body, { error: 'Jira could not be reached.', code: 'UPSTREAM_UNREACHABLE' })
  }
  t.equal((await call(`${proxy.url}/_proxy/healthz`)).status, 200)
  const ready = await call(`${proxy.url}/_proxy/readyz`)
  t.equal(ready.status, 503)
  await sim.control.setDown(false)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200, 'recovers when Jira is back')
})

t.test('Jira too slow: 504 UPSTREAM_TIMEOUT', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, {}, { UPSTREAM_TIMEOUT_MS: '500' })
  const slow = await call(`${proxy.url}${BP}/slow?ms=4000`, { headers: { cookie } })
  t.equal(slow.status, 504)
  t.equal((slow.body as { code: string }).code, 'UPSTREAM_TIMEOUT')
  sim.control.setLatency(3000)
  const jira = await call(`${proxy.url}/rest/api/2/myself`, { headers: { cookie } })
  t.equal(jira.status, 504)
  t.equal((jira.body as { code: string }).code, 'UPSTREAM_TIMEOUT')
  sim.control.setLatency(0)
})

t.test('system/auth answering garbage or 500: 502 BIGPICTURE_AUTH_FAILED, healthz 200, recovery after', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  for (const mode of ['garbage', 'error500'] as const) {
    sim.control.setAuthMode(mode)
    const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
    t.equal(res.status, 502, mode)
    t.equal((res.body as { code: string }).code, 'BIGPICTURE_AUTH_FAILED', mode)
    t.notMatch(JSON.stringify(res.body), /Oops|html/i, 'nothing of the garbage is echoed')
    t.equal((await call(`${proxy.url}/_proxy/healthz`)).status, 200)
  }
  sim.control.setAuthMode('ok')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
})

t.test('a reauth answering 500 falls back to a fresh auth', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.setReauthMode('error500')
  sim.control.revokeAuthTokens()
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(sim.stats.calls.auth, 2)
})

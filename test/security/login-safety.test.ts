import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('clients hammering with a wrong service password cause a handful of logins and never the CAPTCHA', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'wrong-password', LOG_LEVEL: 'info' })
  const codes = new Map<string, number>()
  const stop = Date.now() + 3000
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (Date.now() < stop) {
      const res = await call(`${proxy.url}${BP}/box`)
      const code = (res.body as { code?: string }).code ?? String(res.status)
      codes.set(code, (codes.get(code) ?? 0) + 1)
      if (res.status === 401 || res.status === 503) t.ok(Number(res.headers.get('retry-after')) >= 1, 'Retry-After on every refusal')
    }
  }))
  const total = [...codes.values()].reduce((a, b) => a + b, 0)
  t.ok(total > 200, `${total} requests were answered`)
  t.same([...codes.keys()], ['LOGIN_FAILED'], 'each got an immediate clear answer')
  t.ok((sim.stats.calls.login ?? 0) <= 2, `Jira saw ${sim.stats.calls.login} login(s)`)
  t.equal(sim.stats.captchaChallenges, 0, 'no CAPTCHA')
})

t.test('different wrong passwords for one user share one backoff', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' })
  const seen = new Set<string>()
  for (let i = 0; i < 30; i++) {
    const res = await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', `guess-${i}`) } })
    seen.add((res.body as { code: string }).code)
  }
  t.same([...seen].sort(), ['LOGIN_BACKOFF', 'LOGIN_FAILED'])
  t.equal(sim.stats.calls.login, 1, 'one attempt reached Jira')
  t.equal(sim.stats.captchaChallenges, 0)
  // The right password is not tried until the backoff passes either: the account stays safe.
  const right = await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal(right.status, 503)
  t.equal((right.body as { code: string }).code, 'LOGIN_BACKOFF')
})

t.test('after the backoff passes, the right password logs in', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' }, { loginGuard: { baseDelayMs: 300 } })
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'nope') } })).status, 401)
  await new Promise((resolve) => setTimeout(resolve, 400))
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })).status, 200)
  t.equal(sim.stats.calls.login, 2)
})

t.test('an account already in CAPTCHA: one attempt, then JIRA_CAPTCHA_REQUIRED with the login URL and no more logins until reset', async (t) => {
  const sim = await startSimulator(t)
  for (let i = 0; i < 3; i++) {
    await fetch(`${sim.url}/rest/auth/1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"svc","password":"bad"}' }).then((r) => r.arrayBuffer())
  }
  sim.control.resetStats()
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' })
  for (let i = 0; i < 10; i++) {
    const res = await call(`${proxy.url}${BP}/box`)
    t.equal(res.status, 403)
    t.equal((res.body as { code: string }).code, 'JIRA_CAPTCHA_REQUIRED')
    t.match((res.body as { error: string }).error, /login\.jsp/, 'says where to sign in')
  }
  t.equal(sim.stats.calls.login, 1, 'Jira saw one attempt')
  const metrics = (await call(`${proxy.url}/_proxy/metrics`)).body as string
  t.match(metrics, /bigpicture_proxy_login_blocked\{state="captcha"\} 1/)
  // The operator signs in through a browser, then tells the proxy (SIGHUP calls this).
  sim.control.resetCaptcha()
  proxy.loginGuard.reset()
  t.equal((await call(`${proxy.url}${BP}/box`)).status, 200)
})

t.test('Jira with Basic auth disabled: Basic callers still work through the REST login; passthrough shows Jira\'s refusal', async (t) => {
  const sim = await startSimulator(t, { basicAuthDisabled: true })
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' })
  const headers = { authorization: basic('bob', 'bob-secret') }
  t.equal((await call(`${proxy.url}${BP}/box`, { headers })).status, 200, 'BigPicture works')
  const jira = await call(`${proxy.url}/rest/api/2/myself`, { headers })
  t.equal(jira.status, 403, "Jira's own answer on plain Jira routes")
})

t.test('system/auth answering 200 with X-AUSERNAME anonymous counts as a failure, without a login loop', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' })
  sim.control.setAuthMode('anonymous')
  const headers = { authorization: basic('bob', 'bob-secret') }
  for (let i = 0; i < 3; i++) {
    const res = await call(`${proxy.url}${BP}/box`, { headers })
    t.equal(res.status, 502)
    t.equal((res.body as { code: string }).code, 'BIGPICTURE_AUTH_FAILED')
  }
  t.equal(sim.stats.calls.login, 1, 'one login however often auth fails')
})

t.test('a JIRA_URL without the context path: the login is not counted as a wrong password, and readyz says why', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const origin = new URL(sim.url).origin
  const proxy = await startProxy(t, { JIRA_URL: origin, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' })
  const first = await call(`${proxy.url}${BP}/box`)
  t.equal(first.status, 401)
  t.match((first.body as { error: string }).error, /HTTP 404.*JIRA_URL/)
  const second = await call(`${proxy.url}${BP}/box`)
  t.equal((second.body as { code: string }).code, 'LOGIN_BACKOFF', 'logins pause briefly instead of one per request')
  t.equal(proxy.loginGuard.state('user:svc'), 'backoff')
  const ready = await call(`${proxy.url}/_proxy/readyz`)
  t.equal(ready.status, 503)
  t.match((ready.body as { detail: string }).detail, /context path/)
})

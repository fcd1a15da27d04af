import t from 'tap'
import { BP, basic, call, clientAt, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

const code = (body: unknown): string | undefined => (body as { code?: string }).code

t.test("callers' wrong passwords for the service account's name do not lock the service identity out", async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' }, { loginGuard: { baseDelayMs: 100 } })
  const guess1 = await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('svc', 'wrong1') } })
  t.equal(code(guess1.body), 'LOGIN_FAILED')
  await until(() => proxy.loginGuard.state('user:svc') !== 'backoff')
  const guess2 = await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('svc', 'wrong2') } })
  t.equal(code(guess2.body), 'LOGIN_FAILED')
  t.equal(proxy.loginGuard.state('user:svc'), 'held', 'the name is held for credentials not known to be good')
  const third = await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('svc', 'wrong3') } })
  t.equal(code(third.body), 'LOGIN_BACKOFF', 'a third guess is not sent to Jira')
  t.equal(sim.stats.calls.login, 2, 'Jira saw the two guesses')

  const service = await call(`${proxy.url}${BP}/box`)
  t.equal(service.status, 200, 'the configured service credential still logs in')
  t.equal(sim.stats.calls.login, 3)
  t.equal(sim.stats.captchaChallenges, 0)
  t.equal(proxy.loginGuard.state('user:svc'), 'healthy', "the success cleared the name's count, as it cleared Jira's")
  t.equal(code((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('svc', 'wrong1') } })).body), 'LOGIN_FAILED', 'a guess that failed is still not retried')
  t.equal(sim.stats.calls.login, 3)
})

t.test("a caller's password that has logged in is not held by someone else's guesses", async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' }, { loginGuard: { baseDelayMs: 100 } })
  const bob = { authorization: basic('bob', 'bob-secret') }
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: bob })).status, 200)
  for (const guess of ['x1', 'x2']) {
    await until(() => proxy.loginGuard.state('user:bob') !== 'backoff')
    t.equal(code((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', guess) } })).body), 'LOGIN_FAILED')
  }
  t.equal(proxy.loginGuard.state('user:bob'), 'held')
  // Bob's session dies in Jira: the proxy must log in again with his password.
  sim.control.expireSessions('bob')
  sim.control.revokeAllTokens()
  const again = await call(`${proxy.url}${BP}/box`, { headers: bob })
  t.equal(again.status, 200, 'his known-good password logs in again')
  t.equal(sim.stats.calls.login, 4, 'one login, two guesses, one login again')
  t.equal(sim.stats.captchaChallenges, 0)
})

t.test('a flood of made-up passwords and PATs costs Jira a bounded number of logins, and other addresses still get theirs', async (t) => {
  const sim = await startSimulator(t)
  // A burst of 10 and 2 a second in all; one address gets a quarter: a burst of 2, 0.5 a second.
  const proxy = await startProxy(t, { JIRA_URL: sim.url, NEW_SESSIONS_PER_SECOND: '2', LOG_LEVEL: 'info' })
  const attacker = await clientAt(t, '127.0.0.2')
  const started = Date.now()
  const codes = new Map<string, number>()
  for (let i = 0; i < 40; i++) {
    const headers = { authorization: i % 2 === 0 ? basic(`made-up-${i}`, 'guess') : `Bearer made-up-pat-${i}` }
    const res = await attacker(`${proxy.url}${BP}/box`, { headers })
    const c = code(res.body) ?? String(res.status)
    codes.set(c, (codes.get(c) ?? 0) + 1)
    if (c === 'LOGIN_BACKOFF') t.equal(res.headers['retry-after'], '1', 'Retry-After on the refusal')
  }
  const seconds = (Date.now() - started) / 1000
  const logins = sim.stats.calls.login ?? 0
  const patLogins = sim.stats.calls.session ?? 0
  t.ok(logins + patLogins <= 2 + Math.ceil(0.5 * seconds) + 1, `${logins + patLogins} logins for 40 made-up credentials in ${seconds.toFixed(1)} s`)
  t.ok((codes.get('LOGIN_BACKOFF') ?? 0) >= 30, 'the rest got 503 LOGIN_BACKOFF')

  const other = await clientAt(t, '127.0.0.3')
  const bob = await other(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal(bob.status, 200, 'a caller at another address gets its first contact')
})

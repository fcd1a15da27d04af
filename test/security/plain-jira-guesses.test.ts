import t from 'tap'
import { BP, basic, call, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('wrong passwords sent on plain Jira routes go through the login guard too: no CAPTCHA for the service account', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' }, { loginGuard: { baseDelayMs: 100 } })
  const codes: string[] = []
  for (let i = 0; i < 6; i++) {
    await until(() => proxy.loginGuard.state('user:svc') !== 'backoff')
    const res = await call(`${proxy.url}/rest/api/2/myself`, { headers: { authorization: basic('svc', `guess-${i}`) } })
    codes.push(res.status === 401 && (res.body as { code?: string }).code === undefined ? 'jira-401' : (res.body as { code: string }).code)
  }
  t.same(codes, ['jira-401', 'jira-401', 'LOGIN_BACKOFF', 'LOGIN_BACKOFF', 'LOGIN_BACKOFF', 'LOGIN_BACKOFF'], 'two guesses reached Jira, then the name was held')
  t.equal(sim.stats.loginFailures, 2)
  t.equal(sim.stats.captchaChallenges, 0)
  t.equal((await call(`${proxy.url}${BP}/box`)).status, 200, 'the service identity still logs in')
  t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers: { authorization: basic('svc', 'guess-0') } })).status, 401, 'a failed guess is not sent again')
  t.equal(sim.stats.loginFailures, 2)
  const right = await call(`${proxy.url}/rest/api/2/myself`, { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal((right.body as { name?: string }).name, 'bob', 'good credentials of another account pass')
})

import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a Basic client gets one Jira session, reused for every request', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const headers = { authorization: basic('bob', 'bob-secret') }

  for (let i = 0; i < 5; i++) {
    const res = await call(`${proxy.url}${BP}/box/1`, { headers })
    t.equal(res.status, 200)
    t.equal(res.headers.get('set-cookie'), null, 'the proxy keeps its session to itself')
  }
  t.equal(sim.stats.calls.login, 1, 'one login')
  t.equal(sim.stats.sessionsCreated, 1, 'one Jira session, never one per request')
  t.equal(sim.stats.calls.auth, 1, 'one system/auth')
  t.equal(sim.stats.calls.basic ?? 0, 0, 'the Basic header never reached BigPicture')
})

t.test('a wrong Basic password answers LOGIN_FAILED without a second attempt', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const headers = { authorization: basic('bob', 'wrong') }
  const first = await call(`${proxy.url}${BP}/box`, { headers })
  t.equal(first.status, 401)
  t.same(first.body, { error: first.body && (first.body as { error: string }).error, code: 'LOGIN_FAILED' })
  const second = await call(`${proxy.url}${BP}/box`, { headers })
  t.equal(second.status, 401)
  t.equal((second.body as { code: string }).code, 'LOGIN_FAILED')
  t.ok(Number(second.headers.get('retry-after')) > 0, 'Retry-After says when')
  t.equal(sim.stats.loginFailures, 1, 'Jira saw one failed login')
})

import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a PAT client gets one Jira session for its token and uses BigPicture', async (t) => {
  const sim = await startSimulator(t, { pats: { 'pat-of-alice-0123456789': 'alice' } })
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const headers = { authorization: 'Bearer pat-of-alice-0123456789' }
  for (let i = 0; i < 3; i++) {
    const res = await call(`${proxy.url}${BP}/box`, { headers })
    t.equal(res.status, 200)
  }
  const created = await call(`${proxy.url}${BP}/box/2/task`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"name":"pat task"}' })
  t.equal(created.status, 201)
  t.equal(sim.stats.tasks[0]?.user, 'alice')
  t.equal(sim.stats.sessionsCreated, 1, 'one session for the token')
  t.equal(sim.stats.calls.auth, 1)
})

t.test('an unknown PAT is refused once and not retried', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const headers = { authorization: 'Bearer not-a-known-token' }
  const res = await call(`${proxy.url}${BP}/box`, { headers })
  t.equal(res.status, 401)
  t.equal((res.body as { code: string }).code, 'LOGIN_FAILED')
  await call(`${proxy.url}${BP}/box`, { headers })
  t.equal(sim.stats.calls.pat, 1, 'one attempt reached Jira')
})

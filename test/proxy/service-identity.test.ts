import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

const KEY = 'k3y-for-the-automation-account'

t.test('a loopback caller without credentials uses the service identity, on BigPicture and plain Jira', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })

  const box = await call(`${proxy.url}${BP}/box/1`)
  t.equal(box.status, 200)
  const me = await call(`${proxy.url}/rest/api/2/myself`)
  t.equal(me.status, 200)
  t.equal((me.body as { name: string }).name, 'svc', 'plain Jira requests carry the service session')
  t.equal(me.headers.get('set-cookie'), null, 'the service session cookie never reaches the caller')
  const created = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"svc"}' })
  t.equal(created.status, 201)
  t.equal(sim.stats.tasks[0]?.user, 'svc')
  t.equal(sim.stats.calls.login, 1, 'one login serves all requests')
})

t.test('the service identity with a PAT', async (t) => {
  const sim = await startSimulator(t, { pats: { 'service-pat-0123456789': 'svc' } })
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_PAT: 'service-pat-0123456789' })
  t.equal((await call(`${proxy.url}${BP}/box`)).status, 200)
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200)
  t.equal(sim.stats.sessionsCreated, 1)
})

t.test('a caller logging in as itself never gets the service session', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  const res = await fetch(`${proxy.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
  })
  t.equal(res.status, 200)
  const cookie = (res.headers.getSetCookie()[0] ?? '').split(';')[0] as string
  t.match(cookie, /^JSESSIONID=/, 'the caller receives its own session cookie')
  const me = await call(`${proxy.url}/rest/api/2/myself`, { headers: { cookie } })
  t.equal((me.body as { name: string }).name, 'alice')
})

t.test('X-Proxy-Key: a valid key unlocks the service identity, a wrong one is refused even from loopback, neither reaches Jira', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', PROXY_API_KEYS: `other-key-0123456789,${KEY}` })
  const ok = await call(`${proxy.url}${BP}/box`, { headers: { 'x-proxy-key': KEY } })
  t.equal(ok.status, 200)
  const wrong = await call(`${proxy.url}${BP}/box`, { headers: { 'x-proxy-key': 'not-the-key-at-all' } })
  t.equal(wrong.status, 403)
  t.equal((wrong.body as { code: string }).code, 'SERVICE_IDENTITY_FORBIDDEN')
  const wrongJira = await call(`${proxy.url}/rest/api/2/myself`, { headers: { 'x-proxy-key': 'not-the-key-at-all' } })
  t.equal(wrongJira.status, 403)
  t.notOk(proxy.logText().includes(KEY), 'the key is not logged')
})

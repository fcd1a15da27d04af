import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { cookieSession } from '../helpers/session.js'
import { startSimulator } from '../helpers/simulator.js'

t.test("the service identity's dead Jira session is recovered by logging in again", async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal((await call(`${proxy.url}${BP}/box`)).status, 200)
  sim.control.expireSessions()
  const res = await call(`${proxy.url}${BP}/box`)
  t.equal(res.status, 200, 'the caller never noticed')
  t.equal(sim.stats.calls.login, 2, 'one more login')
})

t.test("a Basic identity's dead Jira session is recovered, with tokens and session renewed", async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const headers = { authorization: basic('bob', 'bob-secret') }
  t.equal((await call(`${proxy.url}${BP}/box`, { headers })).status, 200)
  sim.control.expireSessions('bob')
  sim.control.revokeAllTokens()
  const res = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{"name":"after expiry"}' })
  t.equal(res.status, 201)
  t.equal(sim.stats.calls.login, 2)
  t.equal(sim.stats.tasks.length, 1)
})

t.test("plain Jira requests of the service identity survive its session's death", async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200)
  sim.control.expireSessions()
  const get = await call(`${proxy.url}/rest/api/2/myself`)
  t.equal(get.status, 200, 'a request without a body is replayed after one more login')
  t.equal((get.body as { name: string }).name, 'svc')
  t.equal(sim.stats.calls.login, 2)
  sim.control.expireSessions()
  const upload = await call(`${proxy.url}/rest/api/2/issue/ABC-1/attachments`, { method: 'POST', headers: { 'x-atlassian-token': 'no-check' }, body: 'streamed once' })
  t.equal(upload.status, 401, 'a streamed body is never sent twice: its 401 is relayed')
  t.equal(sim.stats.uploads.length, 0)
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200, 'and the next request logs in again')
  t.equal(sim.stats.calls.login, 3)
})

t.test("a cookie client's dead session: Jira's 401 reaches the caller, no login is attempted", async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.expireSessions('alice')
  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(res.status, 401)
  t.equal(res.headers.get('x-ausername'), 'anonymous')
  t.equal(sim.stats.calls.login, 1, 'the proxy has no credentials for a cookie client')
})

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

t.test('plain Jira requests of the service identity recover on the next request after the session died', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200)
  sim.control.expireSessions()
  const first = await call(`${proxy.url}/rest/api/2/myself`)
  t.equal(first.status, 401, 'a streamed passthrough request is not replayed')
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200, 'the next one logs in again')
  t.equal(sim.stats.calls.login, 2)
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

import t from 'tap'
import { BP, call, loginCookie, rawRequest } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test("a service-identity caller cannot end the shared service session, whatever the spelling", async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' })
  t.equal((await call(`${proxy.url}${BP}/box`)).status, 200)
  for (const [method, path] of [
    ['DELETE', '/rest/auth/1/session'], ['DELETE', '//rest/auth/1/session'], ['DELETE', '/rest/auth/latest/session'],
    ['DELETE', '/rest/auth/1/session;x=1'], ['GET', '/secure/Logout!default.jspa'], ['GET', '/secure/Logout.jspa'], ['POST', '/logout']
  ] as const) {
    const res = await rawRequest(proxy.url, { method, path })
    t.equal(res.status, 403, `${method} ${path}`)
    t.equal(JSON.parse(res.text).code, 'SERVICE_LOGOUT_FORBIDDEN', `${method} ${path}: coded`)
  }
  t.equal(sim.stats.calls.logout ?? 0, 0, 'no logout reached Jira')
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200, 'the service session lives on')
  t.equal(sim.stats.calls.login, 1, 'without a new login')

  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  const own = await rawRequest(proxy.url, { method: 'DELETE', path: '/rest/auth/1/session', headers: { cookie } })
  t.equal(own.status, 204, 'a caller with its own session logs that one out')
})

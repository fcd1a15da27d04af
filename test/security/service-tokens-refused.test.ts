import t from 'tap'
import { BP, call, loginCookie, rawRequest } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test("the service identity's token pair and credentials never leave the proxy, whatever the spelling", async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' })
  for (const [method, path] of [
    ['GET', `${BP}/system/auth`], ['GET', `${BP}/system/reauth`], ['GET', `/${BP}/system/auth`], ['GET', `${BP}/system/%61uth`],
    ['GET', `${BP}//system/auth/`], ['GET', '/rest/softwareplant-biggantt/1.0/system/auth'],
    ['POST', '/rest/pat/latest/tokens'], ['GET', '/rest/pat/latest/tokens'], ['PUT', '/rest/api/2/myself/password']
  ] as const) {
    const res = await rawRequest(proxy.url, { method, path })
    t.equal(res.status, 403, `${method} ${path}`)
    t.equal(JSON.parse(res.text).code, 'SERVICE_TOKENS_FORBIDDEN', `${method} ${path}: coded`)
    t.notMatch(res.text, /"authentication"|"refresh"/, 'no token in the answer')
  }
  t.equal(sim.stats.requests, 0, 'none of them reached Jira')

  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  const own = await call(`${proxy.url}${BP}/system/auth`, { headers: { cookie } })
  t.equal(own.status, 200, "a cookie caller may still fetch its own token pair")
})

import t from 'tap'
import { call, rawRequest } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

const SERVICE = { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' }

t.test('a service-identity caller logging in as itself gets its own session, however the path is spelled', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, ...SERVICE, LOG_LEVEL: 'info' })
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200, 'the service session exists')
  for (const path of ['/rest/auth/1/session', '//rest/auth/1/session', '/rest//auth/1/session', '/rest/auth/1/session;x=1', '/rest/auth/1/%73ession']) {
    const res = await rawRequest(proxy.url, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-secret' }) })
    t.equal(res.status, 200, path)
    const setCookie = [res.headers['set-cookie'] ?? []].flat()
    const cookie = setCookie.find((c) => c.startsWith('JSESSIONID='))?.split(';')[0]
    t.ok(cookie, `${path}: the caller receives its own session cookie`)
    const me = await call(`${proxy.url}/rest/api/2/myself`, { headers: { cookie: cookie ?? '' } })
    t.equal((me.body as { name?: string }).name, 'alice', `${path}: and is alice with it`)
  }
})

t.test('the service session is never attached to a request carrying credentials of its own', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, ...SERVICE, LOG_LEVEL: 'info' })
  t.equal(((await call(`${proxy.url}/rest/api/2/myself`)).body as { name: string }).name, 'svc')
  const own: Array<Record<string, string>> = [{ cookie: 'JSESSIONID=' }, { cookie: 'a=1; JSESSIONID="' }, { cookie: 'seraph.rememberme.cookie=12345%3Aabc' }, { authorization: '' }]
  for (const headers of own) {
    const res = await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers })
    t.equal(res.status, 401, `${JSON.stringify(headers)}: Jira answers for the caller's own credentials`)
  }
  const param = await rawRequest(proxy.url, { path: '/rest/api/2/myself;jsessionid=ABC123' })
  t.equal(param.status, 401, 'a ;jsessionid= path parameter is a session of its own too')
})

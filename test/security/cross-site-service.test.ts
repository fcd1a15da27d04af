import t from 'tap'
import { BP, call, loginCookie } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a cross-site page (an <img> or <script> sends no Origin) cannot use the service identity', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' })
  for (const path of [`${BP}/box`, '/rest/api/2/myself']) {
    const res = await call(`${proxy.url}${path}`, { headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' } })
    t.equal(res.status, 403, path)
    t.equal((res.body as { code: string }).code, 'SERVICE_IDENTITY_FORBIDDEN', path)
  }
  t.equal(sim.stats.requests, 0, 'nothing reached Jira')
  for (const site of ['same-origin', 'same-site', 'none']) {
    t.equal((await call(`${proxy.url}${BP}/box`, { headers: { 'sec-fetch-site': site } })).status, 200, `${site} is served`)
  }
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status, 200, 'a caller with its own cookie is not the service identity')
})

import t from 'tap'
import { BP, rawRequest } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('DNS rebinding: a foreign Host is refused before anything reaches Jira', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  for (const host of ['evil.example.com', 'evil.example.com:8080', '127.0.0.1.evil.example.com']) {
    const res = await rawRequest(proxy.url, { path: `${BP}/box`, headers: { host } })
    t.equal(res.status, 403, host)
    t.equal(JSON.parse(res.text).code, 'HOST_NOT_ALLOWED')
  }
  for (const host of ['localhost:1234', '127.0.0.1', '[::1]:8080']) {
    const res = await rawRequest(proxy.url, { path: `${BP}/box`, headers: { host } })
    t.equal(res.status, 200, host)
  }
  t.equal(sim.stats.calls.login, 1, 'refused requests never caused a login')
  const probe = await rawRequest(proxy.url, { path: '/_proxy/healthz', headers: { host: '10.1.2.3:8080' } })
  t.equal(probe.status, 200, 'health probes may use any Host')
})

t.test('ALLOWED_HOSTS names the hosts clients really use', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, ALLOWED_HOSTS: 'bp-proxy, bp-proxy.internal:8080' })
  t.equal((await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { host: 'bp-proxy:8080' } })).status, 401, 'passed on to Jira')
  t.equal((await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { host: 'bp-proxy.internal:8080' } })).status, 401)
  t.equal((await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { host: 'localhost' } })).status, 403, 'the list replaces the defaults')
})

t.test('a web page of another origin cannot drive the proxy', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  for (const origin of ['https://evil.example.com', 'null', 'http://localhost.evil.example.com']) {
    const res = await rawRequest(proxy.url, { method: 'POST', path: `${BP}/box/1/task`, headers: { origin, 'content-type': 'application/json' }, body: '{"name":"csrf"}' })
    t.equal(res.status, 403, origin)
    t.equal(JSON.parse(res.text).code, 'ORIGIN_NOT_ALLOWED')
  }
  t.equal(sim.stats.tasks.length, 0, 'nothing was created')
  const same = await rawRequest(proxy.url, { method: 'POST', path: `${BP}/box/1/task`, headers: { origin: proxy.url, 'content-type': 'application/json' }, body: '{"name":"same origin"}' })
  t.equal(same.status, 201, "the proxy's own origin is fine")
})

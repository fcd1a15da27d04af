import t from 'tap'
import { rawRequest } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a Host whose port part is not a port is refused', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' })
  for (const host of ['localhost:8080@evil.example', 'localhost:80:80', 'localhost:abc', 'localhost:8080/x', '127.0.0.1:8080 evil']) {
    const res = await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { host } })
    t.equal(res.status, 403, host)
    t.equal(JSON.parse(res.text).code, 'HOST_NOT_ALLOWED', host)
  }
  for (const host of ['localhost', 'localhost:8080', '127.0.0.1:1', '[::1]:8080']) {
    t.equal((await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { host } })).status, 401, `${host} is allowed (Jira answers)`)
  }
  t.equal(sim.stats.requests, 4)
})

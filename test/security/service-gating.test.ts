import t from 'tap'
import { BP } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// Only loopback addresses exist on the test machine, so a network caller is simulated by giving
// the injected request a non-loopback peer address; everything behind it is the real app.
const KEY = 'gateway-key-0123456789abcdef'

t.test('a network caller without credentials may not use the service identity', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', PROXY_API_KEYS: KEY })
  const remote = { remoteAddress: '10.20.30.40', headers: { host: '127.0.0.1' } }

  const refused = await proxy.app.inject({ method: 'GET', url: `${BP}/box`, ...remote })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'SERVICE_IDENTITY_FORBIDDEN')

  const jira = await proxy.app.inject({ method: 'GET', url: '/rest/api/2/myself', ...remote })
  t.equal(jira.statusCode, 401, 'plain Jira requests go as they are: Jira answers for itself')

  const keyed = await proxy.app.inject({ method: 'GET', url: `${BP}/box`, remoteAddress: '10.20.30.40', headers: { host: '127.0.0.1', 'x-proxy-key': KEY } })
  t.equal(keyed.statusCode, 200, 'a valid key unlocks it')
  const keyedJira = await proxy.app.inject({ method: 'GET', url: '/rest/api/2/myself', remoteAddress: '10.20.30.40', headers: { host: '127.0.0.1', 'x-proxy-key': KEY } })
  t.equal(keyedJira.json().name, 'svc')

  const ipv6Loopback = await proxy.app.inject({ method: 'GET', url: `${BP}/box`, remoteAddress: '::1', headers: { host: '[::1]:8080' } })
  t.equal(ipv6Loopback.statusCode, 200, '::1 is loopback')
  const mapped = await proxy.app.inject({ method: 'GET', url: `${BP}/box`, remoteAddress: '::ffff:10.0.0.1', headers: { host: 'localhost' } })
  t.equal(mapped.statusCode, 403, 'an IPv4-mapped network address is not')
  t.equal(sim.stats.calls.login, 1)
})

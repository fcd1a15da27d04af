import t from 'tap'
import { rawRequest, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a ;jsessionid= path parameter never reaches the access log', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'trace' })
  await rawRequest(proxy.url, { path: '/rest/api/2/myself;jsessionid=SECRET-SESSION-1?x=1' })
  await rawRequest(proxy.url, { path: '/rest/softwareplant-bigpicture;JSESSIONID=SECRET-SESSION-2/1.0/box' })
  await until(() => proxy.logs.filter((l) => l.msg === 'request').length === 2)
  t.notMatch(proxy.logText(), /SECRET-SESSION/, 'no session id in any line')
  t.same(proxy.logs.filter((l) => l.msg === 'request').map((l) => l.path), ['/rest/api/2/myself;jsessionid=[redacted]', '/rest/softwareplant-bigpicture;JSESSIONID=[redacted]/1.0/box'])
})

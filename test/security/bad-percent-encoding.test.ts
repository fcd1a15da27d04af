import t from 'tap'
import { rawRequest, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a path that cannot be percent-decoded answers INVALID_PATH and leaves an access-log line', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' })
  const paths = ['/rest/%C0%AE/x', '/rest/api/2/%', '/rest/%zz/1.0']
  for (const path of paths) {
    const res = await rawRequest(proxy.url, { path })
    t.equal(res.status, 400, path)
    t.same(JSON.parse(res.text), { error: 'The request path is malformed or contains dot segments.', code: 'INVALID_PATH' }, path)
  }
  await until(() => proxy.logs.filter((l) => l.msg === 'request' && l.status === 400).length === paths.length)
  t.same(proxy.logs.filter((l) => l.msg === 'request').map((l) => l.path), paths, 'one access-log line each')
  t.equal(sim.stats.requests, 0)
})

import t from 'tap'
import { BP, call, loginCookie, rawRequest } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startRecorder } from '../helpers/recorder.js'
import { startSimulator } from '../helpers/simulator.js'

// X-Request-Id: a caller's sane id is kept, anything else replaced by one the proxy makes; either
// way the caller gets it back, the access-log line carries it, and Jira receives it.

async function scene (t: { teardown (fn: () => unknown): void }) {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const jira = await startRecorder(t, sim.url)
  const proxy = await startProxy(t, { JIRA_URL: jira.url })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  const accessLine = (id: string) => proxy.logs.find((l) => l.msg === 'request' && l.reqId === id)
  const atJira = (path: string) => jira.requests.filter((r) => r.path.startsWith(`/jira${path}`)).map((r) => r.headers['x-request-id'])
  return { proxy, cookie, accessLine, atJira }
}

t.test('a caller\'s sane X-Request-Id is echoed, logged and sent to Jira, on both routes', async (t) => {
  const { proxy, cookie, accessLine, atJira } = await scene(t)
  const cases: Array<[string, string]> = [
    [`${BP}/box`, 'job-42.step:7_retry-1'],
    ['/rest/api/2/myself', 'A'.repeat(128)]
  ]
  for (const [path, id] of cases) {
    const res = await call(`${proxy.url}${path}`, { headers: { cookie, 'x-request-id': id } })
    t.equal(res.status, 200, path)
    t.equal(res.headers.get('x-request-id'), id, `${path}: echoed`)
    t.same(atJira(path), [id], `${path}: Jira received it`)
    t.equal(accessLine(id)?.path, path, `${path}: the access-log line carries it`)
  }
})

t.test('without an id, or with one that is not sane, the proxy makes one, unique per request', async (t) => {
  const { proxy, cookie, accessLine, atJira } = await scene(t)
  const unusable = ['', 'has space', 'quote"inside', 'x'.repeat(129), 'tab\tinside', 'semi;colon', 'slash/ed']
  const seen = new Set<string>()
  for (const sent of [undefined, ...unusable]) {
    const headers: Record<string, string> = { cookie, host: new URL(proxy.url).host }
    if (sent !== undefined) headers['x-request-id'] = sent
    const res = await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers })
    t.equal(res.status, 200)
    const id = res.headers['x-request-id'] as string
    t.match(id, /^[0-9a-f]{10}-[0-9a-z]+$/, `${JSON.stringify(sent)}: replaced by a generated id`)
    t.notOk(seen.has(id), 'a new id each time')
    seen.add(id)
    t.ok(accessLine(id), 'logged under that id')
    t.equal(atJira('/rest/api/2/myself').at(-1), id, 'Jira received the generated id, not the caller\'s')
  }
  // Sent twice, Node joins the two with ", ": not one id any more.
  const twice = await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { cookie, 'x-request-id': ['one', 'two'] as unknown as string } })
  t.equal(twice.status, 200)
  t.match(twice.headers['x-request-id'], /^[0-9a-f]{10}-[0-9a-z]+$/, 'two ids sent: replaced')
})

t.test('the proxy\'s own answers and refusals carry the id too', async (t) => {
  const { proxy } = await scene(t)
  const health = await call(`${proxy.url}/_proxy/healthz`, { headers: { 'x-request-id': 'probe-1' } })
  t.equal(health.headers.get('x-request-id'), 'probe-1')
  const refused = await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { host: 'evil.example', 'x-request-id': 'rebind-1' } })
  t.equal(refused.status, 403)
  t.equal(refused.headers['x-request-id'], 'rebind-1', 'a refusal echoes it')
  const invalid = await rawRequest(proxy.url, { path: '/rest/softwareplant-bigpicture/1.0/%2e%2e/x', headers: { 'x-request-id': 'bad-path-1' } })
  t.equal(invalid.status, 400)
  t.equal(invalid.headers['x-request-id'], 'bad-path-1', 'an invalid path echoes it')
})

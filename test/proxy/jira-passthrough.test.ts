import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { call, rawRequest } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'

/** An origin that echoes what it received, to prove what the passthrough changes and what it keeps. */
async function echoOrigin (t: { teardown (fn: () => unknown): void }): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const extra: Record<string, string | string[]> = {}
      if (req.url?.includes('redirect')) extra.location = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jira/secure/Dashboard.jspa`
      res.writeHead(200, {
        'content-type': 'application/json',
        'set-cookie': ['atlassian.xsrf.token=abc; Domain=jira.example.com; Path=/jira; Secure; SameSite=None'],
        'x-upstream': 'yes',
        ...extra
      })
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jira/`
}

interface Echo { method: string, url: string, headers: Record<string, string>, body: string }

t.test('plain Jira requests pass with method, path, query, headers and body intact', async (t) => {
  const origin = await echoOrigin(t)
  const proxy = await startProxy(t, { JIRA_URL: origin })
  const res = await call(`${proxy.url}/rest/api/2/search?jql=project%20%3D%20ABC+order&fields=a,b&flag`, {
    method: 'PUT',
    headers: { authorization: 'Basic YWxpY2U6c2VjcmV0', cookie: 'a=1; JSESSIONID=XYZ', 'content-type': 'text/plain', 'x-custom': 'kept' },
    body: 'hello body'
  })
  t.equal(res.status, 200)
  const echo = res.body as Echo
  t.equal(echo.method, 'PUT')
  t.equal(echo.url, '/jira/rest/api/2/search?jql=project%20%3D%20ABC+order&fields=a,b&flag', 'context path added, query untouched')
  t.equal(echo.headers.authorization, 'Basic YWxpY2U6c2VjcmV0', 'credentials for Jira itself pass untouched')
  t.equal(echo.headers.cookie, 'a=1; JSESSIONID=XYZ')
  t.equal(echo.headers['x-custom'], 'kept')
  t.equal(echo.body, 'hello body')
  t.equal(res.headers.get('x-upstream'), 'yes')
  t.equal(res.headers.get('set-cookie'), 'atlassian.xsrf.token=abc; Path=/', 'cookie made to work on the proxy')
})

t.test('hop-by-hop and Connection-listed headers do not travel', async (t) => {
  const origin = await echoOrigin(t)
  const proxy = await startProxy(t, { JIRA_URL: origin })
  const res = await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { connection: 'x-drop-me', 'x-drop-me': '1', 'x-custom': 'kept' } })
  const echo = JSON.parse(res.text) as Echo
  t.equal(echo.headers['x-custom'], 'kept')
  t.notOk('x-drop-me' in echo.headers)
})

t.test('an absolute Location into Jira is rewritten to the proxy', async (t) => {
  const origin = await echoOrigin(t)
  const proxy = await startProxy(t, { JIRA_URL: origin })
  const res = await fetch(`${proxy.url}/redirect`, { redirect: 'manual' })
  t.equal(res.headers.get('location'), '/secure/Dashboard.jspa')
  await res.arrayBuffer()
})

t.test('an absolute-form request target never reaches another host', async (t) => {
  const origin = await echoOrigin(t)
  const proxy = await startProxy(t, { JIRA_URL: origin })
  const res = await rawRequest(proxy.url, { path: 'http://evil.example.com/rest/api/2/myself?x=1' })
  const echo = JSON.parse(res.text) as Echo
  t.equal(echo.url, '/jira/rest/api/2/myself?x=1', 'only the path and query of the target were used, toward Jira')
})

t.test('a body without Content-Type, and one with an unusual type, pass byte for byte', async (t) => {
  const origin = await echoOrigin(t)
  const proxy = await startProxy(t, { JIRA_URL: origin })
  const plain = await rawRequest(proxy.url, { method: 'POST', path: '/rest/api/2/thing', body: 'no type here' })
  t.equal((JSON.parse(plain.text) as Echo).body, 'no type here')
  const json = await rawRequest(proxy.url, { method: 'POST', path: '/rest/api/2/thing', headers: { 'content-type': 'application/json' }, body: '{"not":"re-encoded" ,  "spaces": 1}' })
  t.equal((JSON.parse(json.text) as Echo).body, '{"not":"re-encoded" ,  "spaces": 1}', 'JSON is not parsed and re-serialised')
  const form = await rawRequest(proxy.url, { method: 'POST', path: '/rest/api/2/thing', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\n\r\nfile\r\n--x--' })
  t.equal((JSON.parse(form.text) as Echo).body, '--x\r\n\r\nfile\r\n--x--')
  const bad = await rawRequest(proxy.url, { path: '/rest/api/2/search?jql=%zz&x' })
  t.equal((JSON.parse(bad.text) as Echo).url, '/jira/rest/api/2/search?jql=%zz&x', 'an odd query string is Jira\'s to judge')
})

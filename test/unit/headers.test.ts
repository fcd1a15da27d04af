import type { IncomingHttpHeaders } from 'node:http'
import t from 'tap'
import { type ResponseRewrite, connectionListed, rewriteLocation, rewriteSetCookie, toClientHeaders, toJiraHeaders } from '../../src/proxy/headers.js'

const NO_INJECTION = { authorization: undefined, cookie: undefined }
const HOP_BY_HOP_REQUEST: IncomingHttpHeaders = {
  connection: 'keep-alive',
  'keep-alive': 'timeout=5',
  'proxy-connection': 'keep-alive',
  'transfer-encoding': 'chunked',
  te: 'trailers',
  trailer: 'x-checksum',
  upgrade: 'websocket',
  'proxy-authorization': 'Basic cHJveHk6cHc=',
  'http2-settings': 'AAMAAABkAAQAoAAAAAIAAAAA',
  host: '127.0.0.1:8080',
  expect: '100-continue',
  'x-proxy-key': 'proxy-key-0123456789abcdef'
}

t.test('connectionListed', async (t) => {
  const cases: Array<[string | string[] | undefined, string[]]> = [
    [undefined, []],
    ['', []],
    ['close', []],
    ['keep-alive', []],
    ['Keep-Alive, Upgrade', ['upgrade']],
    ['X-Foo,  X-Bar ,,', ['x-foo', 'x-bar']],
    [['x-foo', 'Cookie, Authorization'], ['x-foo', 'cookie', 'authorization']]
  ]
  for (const [value, expected] of cases) t.same(connectionListed(value), expected, JSON.stringify(value))
})

t.test('request: hop-by-hop headers, Host, Expect and X-Proxy-Key never reach Jira', async (t) => {
  const incoming: IncomingHttpHeaders = { ...HOP_BY_HOP_REQUEST, accept: 'application/json', 'content-type': 'text/plain', 'content-length': '5', 'x-atlassian-token': 'no-check', authorization: 'Basic Ym9iOnB3', cookie: 'a=1' }
  const expected = { accept: 'application/json', 'content-type': 'text/plain', 'content-length': '5', 'x-atlassian-token': 'no-check', authorization: 'Basic Ym9iOnB3', cookie: 'a=1' }
  t.same(toJiraHeaders(incoming, NO_INJECTION), expected, 'without injection')
  t.same(toJiraHeaders(incoming, { authorization: 'JWT', cookie: 'JSESSIONID=SVC' }), { ...expected, authorization: 'JWT', cookie: 'a=1; JSESSIONID=SVC' }, 'with injection')
})

t.test('request: Connection-listed headers are dropped before the injection', async (t) => {
  type Case = [string, IncomingHttpHeaders, { authorization: string | undefined, cookie: string | undefined }, Record<string, string>]
  const cases: Case[] = [
    ['listed custom header', { connection: 'X-Secret', 'x-secret': '1', accept: '*/*' }, NO_INJECTION, { accept: '*/*' }],
    ['listed in mixed case with spaces', { connection: ' close ,  X-A ', 'x-a': '1', 'x-b': '2' }, NO_INJECTION, { 'x-b': '2' }],
    ['listed Authorization without injection is dropped', { connection: 'authorization', authorization: 'Basic Ym9iOnB3' }, NO_INJECTION, {}],
    ['listed Authorization cannot strip the injected JWT', { connection: 'Authorization', authorization: 'Basic Ym9iOnB3' }, { authorization: 'JWT', cookie: undefined }, { authorization: 'JWT' }],
    ['listed Cookie cannot strip the injected session', { connection: 'cookie', cookie: 'JSESSIONID=CALLER' }, { authorization: undefined, cookie: 'JSESSIONID=SVC' }, { cookie: 'JSESSIONID=SVC' }],
    ['a listed Cookie is not merged back in', { connection: 'Cookie', cookie: 'tracking=1; JSESSIONID=CALLER' }, { authorization: 'JWT', cookie: 'JSESSIONID=SVC' }, { authorization: 'JWT', cookie: 'JSESSIONID=SVC' }],
    ['both listed, both injected', { connection: 'authorization, cookie', authorization: 'Bearer pat', cookie: 'a=1' }, { authorization: 'JWT', cookie: 'JSESSIONID=S' }, { authorization: 'JWT', cookie: 'JSESSIONID=S' }],
    ['an unlisted cookie is merged', { cookie: 'a=1; JSESSIONID=CALLER; b=2' }, { authorization: undefined, cookie: 'JSESSIONID=SVC' }, { cookie: 'a=1; b=2; JSESSIONID=SVC' }],
    ['no cookie at all', {}, { authorization: undefined, cookie: 'JSESSIONID=SVC' }, { cookie: 'JSESSIONID=SVC' }],
    ["the session's affinity cookie wins over the caller's", { cookie: 'INGRESSCOOKIE=mine; a=1' }, { authorization: undefined, cookie: 'JSESSIONID=SVC; INGRESSCOOKIE=node-2' }, { cookie: 'a=1; JSESSIONID=SVC; INGRESSCOOKIE=node-2' }],
    ['injection replaces the caller Authorization', { authorization: 'Basic Ym9iOnB3' }, { authorization: 'JWT', cookie: undefined }, { authorization: 'JWT' }]
  ]
  for (const [name, incoming, injection, expected] of cases) {
    t.same(toJiraHeaders(incoming, injection), expected, name)
  }
})

const HTTP_JIRA: ResponseRewrite = { jiraUrl: 'https://jira.example.com/jira', contextPath: '/jira', dropSecure: true, dropCookies: false }

t.test('rewriteSetCookie', async (t) => {
  const cases: Array<[string, Pick<ResponseRewrite, 'contextPath' | 'dropSecure'>, string]> = [
    ['JSESSIONID=ABC; Path=/jira; HttpOnly', HTTP_JIRA, 'JSESSIONID=ABC; Path=/; HttpOnly'],
    ['JSESSIONID=ABC; Path=/jira/; Secure; HttpOnly', HTTP_JIRA, 'JSESSIONID=ABC; Path=/; HttpOnly'],
    ['a=b; Path=/jira/x', HTTP_JIRA, 'a=b; Path=/x'],
    ['a=b; Path=/jira/x/y', HTTP_JIRA, 'a=b; Path=/x/y'],
    ['a=b; Path=/jiraX', HTTP_JIRA, 'a=b; Path=/jiraX'],
    ['a=b; Path=/JIRA', HTTP_JIRA, 'a=b; Path=/JIRA'],
    ['a=b; Path=/', HTTP_JIRA, 'a=b; Path=/'],
    ['a=b; path=/jira; secure; httponly', HTTP_JIRA, 'a=b; Path=/; httponly'],
    ['a=b;Path=/jira;HttpOnly', HTTP_JIRA, 'a=b; Path=/; HttpOnly'],
    ['a=b; PATH = /jira/x', HTTP_JIRA, 'a=b; Path=/x'],
    ['a=b; Domain=jira.example.com; Path=/jira', HTTP_JIRA, 'a=b; Path=/'],
    ['a=b; DOMAIN=.example.com', HTTP_JIRA, 'a=b'],
    ['a=b; domain', HTTP_JIRA, 'a=b'],
    ['a=b; SameSite=None; Secure', HTTP_JIRA, 'a=b'],
    ['a=b; samesite=none; SECURE', HTTP_JIRA, 'a=b'],
    ['a=b; SameSite = None', HTTP_JIRA, 'a=b'],
    ['a=b; SameSite=Lax; Secure', HTTP_JIRA, 'a=b; SameSite=Lax'],
    ['a=b; SameSite=Strict', HTTP_JIRA, 'a=b; SameSite=Strict'],
    ['a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/jira', HTTP_JIRA, 'a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'],
    ['a=b=c; Path=/jira', HTTP_JIRA, 'a=b=c; Path=/'],
    ['a=b; ; HttpOnly', HTTP_JIRA, 'a=b; HttpOnly'],
    ['a=b', HTTP_JIRA, 'a=b'],
    // an HTTPS listener keeps Secure and SameSite=None
    ['a=b; Secure; SameSite=None; Path=/jira', { contextPath: '/jira', dropSecure: false }, 'a=b; Secure; SameSite=None; Path=/'],
    // no context path: the path stays
    ['a=b; Path=/jira; Domain=x', { contextPath: '', dropSecure: true }, 'a=b; Path=/jira']
  ]
  for (const [line, rw, expected] of cases) t.equal(rewriteSetCookie(line, rw), expected, line)
})

t.test('rewriteLocation', async (t) => {
  const withContext = { jiraUrl: 'https://jira.example.com/jira', contextPath: '/jira' }
  const root = { jiraUrl: 'https://jira.example.com', contextPath: '' }
  const cases: Array<[string, { jiraUrl: string, contextPath: string }, string]> = [
    ['https://jira.example.com/jira/browse/X-1', withContext, '/browse/X-1'],
    ['https://jira.example.com/jira', withContext, '/'],
    ['https://jira.example.com/jira/', withContext, '/'],
    ['https://jira.example.com/jira?a=1', withContext, '/?a=1'],
    ['https://jira.example.com/jira#top', withContext, '/#top'],
    ['https://jira.example.com/jira/x?a=1&b=/jira#f', withContext, '/x?a=1&b=/jira#f'],
    ['https://jira.example.com/jiraX/y', withContext, 'https://jira.example.com/jiraX/y'],
    ['https://jira.example.com/other', withContext, 'https://jira.example.com/other'],
    ['https://jira.example.com.evil.com/jira/x', withContext, 'https://jira.example.com.evil.com/jira/x'],
    ['http://jira.example.com/jira/x', withContext, 'http://jira.example.com/jira/x'],
    ['https://jira.example.com:8443/jira/x', withContext, 'https://jira.example.com:8443/jira/x'],
    ['https://sso.example.com/login?return=https://jira.example.com/jira/x', withContext, 'https://sso.example.com/login?return=https://jira.example.com/jira/x'],
    ['//jira.example.com/jira/x', withContext, '//jira.example.com/jira/x'],
    ['//evil.example.com/x', withContext, '//evil.example.com/x'],
    ['/jira/secure/Dashboard.jspa', withContext, '/secure/Dashboard.jspa'],
    ['/jira', withContext, '/'],
    ['/jira?x=1', withContext, '/?x=1'],
    ['/jiraX', withContext, '/jiraX'],
    ['/other/page', withContext, '/other/page'],
    ['login.jsp?x=1', withContext, 'login.jsp?x=1'],
    ['https://jira.example.com/browse/X-1', root, '/browse/X-1'],
    ['https://jira.example.com', root, '/'],
    ['https://jira.example.com?x=1', root, '/?x=1'],
    ['https://jira.example.com.evil.com/x', root, 'https://jira.example.com.evil.com/x'],
    ['https://jira.example.com:8443/x', root, 'https://jira.example.com:8443/x'],
    ['https://jira.example.com@evil.com/x', root, 'https://jira.example.com@evil.com/x'],
    ['/browse/X-1', root, '/browse/X-1']
  ]
  for (const [location, rw, expected] of cases) t.equal(rewriteLocation(location, rw), expected, `${location} (context ${JSON.stringify(rw.contextPath)})`)
})

t.test('response: hop-by-hop and Connection-listed headers are dropped', async (t) => {
  const upstream: IncomingHttpHeaders = {
    connection: 'keep-alive, X-Internal',
    'keep-alive': 'timeout=5',
    'proxy-connection': 'keep-alive',
    'transfer-encoding': 'chunked',
    te: 'trailers',
    trailer: 'x-checksum',
    upgrade: 'h2c',
    'proxy-authenticate': 'Basic',
    'x-internal': 'secret',
    'content-type': 'application/json',
    'content-length': '2',
    'x-ausername': 'alice',
    'www-authenticate': 'Basic realm="jira"',
    'retry-after': undefined
  }
  t.same(toClientHeaders(upstream, HTTP_JIRA), { 'content-type': 'application/json', 'content-length': '2', 'x-ausername': 'alice', 'www-authenticate': 'Basic realm="jira"' })
})

t.test('response: Set-Cookie and Location are rewritten', async (t) => {
  const upstream = {
    'set-cookie': ['JSESSIONID=ABC; Path=/jira; Secure; HttpOnly', 'atlassian.xsrf.token=T|lin; Path=/jira; Domain=jira.example.com; Secure'],
    location: 'https://jira.example.com/jira/secure/Dashboard.jspa'
  }
  t.same(toClientHeaders(upstream, HTTP_JIRA), {
    'set-cookie': ['JSESSIONID=ABC; Path=/; HttpOnly', 'atlassian.xsrf.token=T|lin; Path=/'],
    location: '/secure/Dashboard.jspa'
  })
  t.same(toClientHeaders({ 'set-cookie': 'a=b; Path=/jira/x' }, HTTP_JIRA), { 'set-cookie': ['a=b; Path=/x'] }, 'a single cookie string')
})

t.test("response: the cookies of a session the proxy keeps stay inside the proxy", async (t) => {
  const rw: ResponseRewrite = { ...HTTP_JIRA, dropCookies: true }
  const both = { 'set-cookie': ['JSESSIONID=SVC; Path=/jira; HttpOnly', 'atlassian.xsrf.token=T; Path=/jira'] }
  t.same(toClientHeaders(both, rw), {}, 'the session cookie and the others')
  t.same(toClientHeaders({ 'set-cookie': ['JSESSIONID=SVC; Path=/jira'], 'x-a': '1' }, rw), { 'x-a': '1' }, 'no empty Set-Cookie left')
  t.same(toClientHeaders({ 'set-cookie': 'AWSALB=node-1; Path=/', 'x-a': '1' }, rw), { 'x-a': '1' }, "a balancer's affinity cookie")
  t.same(toClientHeaders(both, HTTP_JIRA)['set-cookie'], ['JSESSIONID=SVC; Path=/; HttpOnly', 'atlassian.xsrf.token=T; Path=/'], 'kept for a caller with its own identity')
})

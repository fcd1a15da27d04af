import t from 'tap'
import { JiraSession } from '../../src/tokens/session.js'
import { until } from '../helpers/clients.js'

const session = (...lines: string[]): JiraSession => {
  const s = new JiraSession()
  s.absorb(lines)
  return s
}

t.test('a cookie replaces the one of the same name and path, and only that one', async (t) => {
  const s = session('JSESSIONID=A; Path=/jira; HttpOnly', 'INGRESSCOOKIE=node-1; Path=/')
  t.equal(s.id, 'A')
  s.absorb('JSESSIONID=B; Path=/jira; HttpOnly')
  t.equal(s.cookieHeader, 'JSESSIONID=B; INGRESSCOOKIE=node-1', 'replaced in place, the other kept')
  t.equal(s.id, 'B')
  s.absorb('INGRESSCOOKIE=node-2; Path=/')
  t.equal(s.cookieHeader, 'JSESSIONID=B; INGRESSCOOKIE=node-2')
})

t.test('paths: same name on two paths is two cookies, the longer path first; every one is sent', async (t) => {
  const s = session('X=root; Path=/', 'X=deep; Path=/jira/rest', 'Y=login; Path=/jira/rest/auth/1')
  t.equal(s.cookieHeader, 'Y=login; X=deep; X=root', 'sent whatever the path of the request (the whole jar goes out)')
  s.absorb('X=deeper; Path=/jira/rest')
  t.equal(s.cookieHeader, 'Y=login; X=deeper; X=root')
  const noPath = session('Z=1')
  noPath.absorb('Z=2')
  t.equal(noPath.cookieHeader, 'Z=2', 'cookies without Path share one default path, so they replace each other')
})

t.test('deletion: Max-Age=0 or an Expires in the past removes the cookie', async (t) => {
  const s = session('JSESSIONID=A; Path=/', 'AWSALB=v1; Path=/', 'KEEP=1; Path=/')
  s.absorb('AWSALB=gone; Max-Age=0; Path=/')
  t.equal(s.cookieHeader, 'JSESSIONID=A; KEEP=1')
  s.absorb('JSESSIONID=gone; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Path=/')
  t.equal(s.cookieHeader, 'KEEP=1')
  t.equal(s.id, undefined, 'no session any more')
  s.absorb('AWSALB=x; Max-Age=0; Path=/')
  t.equal(s.cookieHeader, 'KEEP=1', 'deleting what is not there adds nothing')
})

t.test('expiry: a cookie leaves the header when it expires, read often or not (Max-Age counts from arrival)', async (t) => {
  const s = session('JSESSIONID=A; Path=/', 'SHORT=1; Max-Age=1; Path=/', 'LONG=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Path=/')
  t.equal(s.cookieHeader, 'JSESSIONID=A; SHORT=1; LONG=1')
  const generation = s.generation
  await until(() => !s.cookieHeader.includes('SHORT'))
  t.equal(s.cookieHeader, 'JSESSIONID=A; LONG=1')
  t.equal(s.generation, generation + 1, 'rebuilt once, when the earliest expiry passed')
})

t.test('Secure and Domain do not apply upstream: such cookies are kept and sent', async (t) => {
  const s = session(
    'JSESSIONID=A; Path=/; Secure; HttpOnly',
    'AWSALB=v1; Domain=jira.example.com; Path=/; Secure; SameSite=None',
    'ROUTEID=.node1; Domain=.elsewhere.example; Path=/'
  )
  t.equal(s.cookieHeader, 'JSESSIONID=A; AWSALB=v1; ROUTEID=.node1', 'a Secure cookie set over plain HTTP behind TLS offload still goes back')
  s.absorb('AWSALB=v2; Path=/')
  t.equal(s.cookieHeader, 'JSESSIONID=A; AWSALB=v2; ROUTEID=.node1', 'a cookie set once with Domain and once without is one cookie')
  s.absorb('__Host-x=1; Path=/; Domain=jira.example.com')
  t.match(s.cookieHeader, /__Host-x=1/, 'name prefixes are a browser matter')
})

t.test('the Cookie header is built when the jar changes, not when it is read', async (t) => {
  const s = session('JSESSIONID=A; Path=/jira', 'AWSALB=v1; Path=/')
  const header = s.cookieHeader
  const generation = s.generation
  let same = 0
  for (let i = 0; i < 1000; i++) if (s.cookieHeader === header) same++
  t.equal(same, 1000, 'every read gives the header back')
  t.equal(s.generation, generation, 'reads build nothing')
  s.absorb(['AWSALB=v1; Path=/', 'JSESSIONID=A; Path=/jira'])
  s.absorb(undefined)
  s.absorb([])
  t.equal(s.generation, generation, 'the same cookies again change nothing')
  s.absorb('AWSALB=v2; Path=/')
  t.equal(s.generation, generation + 1, 'a new value is a new header')
  t.equal(s.cookieHeader, 'JSESSIONID=A; AWSALB=v2')
})

t.test('unusable lines are ignored, as a browser would', async (t) => {
  const s = session('JSESSIONID=A; Path=/')
  s.absorb(['garbage', '=novalue', '', 'B=\u0001bad; Path=/'])
  t.equal(s.cookieHeader, 'JSESSIONID=A')
})

t.test('withoutSession: the cookies a login after failover takes along, the session cookie gone', async (t) => {
  const s = session('JSESSIONID=A.node1; Path=/jira', 'INGRESSCOOKIE=node-2; Path=/', 'atlassian.xsrf.token=T; Path=/jira')
  const next = s.withoutSession()
  t.equal(next.id, undefined)
  t.equal(next.cookieHeader, 'atlassian.xsrf.token=T; INGRESSCOOKIE=node-2')
  t.equal(s.cookieHeader, 'JSESSIONID=A.node1; atlassian.xsrf.token=T; INGRESSCOOKIE=node-2', 'the old jar is untouched')
  t.equal(new JiraSession().withoutSession().cookieHeader, '')
})

t.test('a jar is plain data: serialised and restored, it sends the same cookies', async (t) => {
  const s = session('JSESSIONID=A; Path=/jira; HttpOnly', 'AWSALB=v1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Path=/', 'SHORT=1; Max-Age=600; Path=/')
  const text = JSON.stringify(s)
  const back = new JiraSession(JSON.parse(text))
  t.equal(back.cookieHeader, s.cookieHeader)
  t.equal(back.id, 'A')
  back.absorb('AWSALB=v2; Path=/')
  t.equal(back.cookieHeader, 'JSESSIONID=A; AWSALB=v2; SHORT=1', 'and goes on keeping cookies by the same rules')
  t.notOk(text.includes('"maxAge"'), 'Max-Age is kept as the absolute time it ends, so a restore does not extend it')
})

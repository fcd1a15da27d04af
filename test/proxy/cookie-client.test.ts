import t from 'tap'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// A cookie-only client logs in through the proxy and then uses BigPicture as before 8.3: the
// cookie jar semantics of http://127.0.0.1 (Path rewritten from the context path, no Secure).
t.test('cookie-only client logs in through the proxy and uses BigPicture', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira', secureCookies: true })
  const proxy = await startProxy(t, { JIRA_URL: sim.url })

  const login = await fetch(`${proxy.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
  })
  t.equal(login.status, 200)
  const setCookie = login.headers.getSetCookie()
  t.equal(setCookie.length, 1)
  const cookie = setCookie[0] as string
  t.match(cookie, /^JSESSIONID=[0-9A-F]+; /)
  t.match(cookie, /Path=\/(;|$)/, 'context path taken off the cookie path')
  t.notMatch(cookie, /Secure/i, 'Secure dropped on a plain-HTTP listener')
  t.match(cookie, /HttpOnly/)
  const pair = cookie.split(';')[0] as string

  const boxes = await fetch(`${proxy.url}/rest/softwareplant-bigpicture/1.0/box`, { headers: { cookie: pair } })
  t.equal(boxes.status, 200)
  const list = await boxes.json() as unknown[]
  t.ok(Array.isArray(list) && list.length > 0, 'boxes listed')

  const created = await fetch(`${proxy.url}/rest/softwareplant-bigpicture/1.0/box/1/task`, {
    method: 'POST',
    headers: { cookie: pair, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'from a cookie client' })
  })
  t.equal(created.status, 201)
  t.equal(sim.stats.tasks.length, 1)
  t.equal(sim.stats.tasks[0]?.user, 'alice')
  t.equal(sim.stats.calls.auth, 1, 'one system/auth for both requests')
})

import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { sessionIdFrom } from './_client.js'

t.test('REST login answers the session and sets the cookie on the root path', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
  })
  t.equal(res.status, 200)
  t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8')
  t.equal(res.headers.get('x-ausername'), 'alice')
  const body = await res.json() as { session: { name: string, value: string }, loginInfo: { failedLoginCount: number, loginCount: number } }
  t.equal(body.session.name, 'JSESSIONID')
  t.match(body.session.value, /^[0-9A-F]{32}$/)
  t.same(body.loginInfo, { failedLoginCount: 0, loginCount: 1 })
  t.same(res.headers.getSetCookie(), [`JSESSIONID=${body.session.value}; Path=/; HttpOnly`])
  t.equal(sessionIdFrom(res), body.session.value)
  t.equal(sim.stats.sessionsCreated, 1)
  t.equal(sim.stats.calls.login, 1)
  t.equal(sim.stats.callsByUser.alice?.login, 1)
})

t.test('the session cookie identifies the caller until logout', async (t) => {
  const sim = await startSimulator(t)
  const login = await fetch(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bob', password: 'bob-secret' })
  })
  const id = sessionIdFrom(login) ?? ''
  const cookie = `other=1; JSESSIONID=${id}`

  const current = await fetch(`${sim.url}/rest/auth/1/session`, { headers: { cookie } })
  t.equal(current.status, 200)
  t.equal(current.headers.get('x-ausername'), 'bob')
  t.same(current.headers.getSetCookie(), [], 'a cookie request opens no new session')
  const body = await current.json() as { name: string, self: string, loginInfo: { loginCount: number } }
  t.equal(body.name, 'bob')
  t.equal(body.self, `${sim.url}/rest/api/latest/user?username=bob`)
  t.equal(body.loginInfo.loginCount, 1)

  const logout = await fetch(`${sim.url}/rest/auth/1/session`, { method: 'DELETE', headers: { cookie } })
  t.equal(logout.status, 204)

  const after = await fetch(`${sim.url}/rest/auth/1/session`, { headers: { cookie } })
  t.equal(after.status, 401)
  t.equal(after.headers.get('x-ausername'), 'anonymous')

  const again = await fetch(`${sim.url}/rest/auth/1/session`, { method: 'DELETE', headers: { cookie } })
  t.equal(again.status, 401, 'logout without a session')
})

t.test('a malformed login body answers 400', async (t) => {
  const sim = await startSimulator(t)
  for (const body of ['{"username":', '[]', '{"username":"alice"}']) {
    const res = await fetch(`${sim.url}/rest/auth/1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    t.equal(res.status, 400, body)
  }
  t.equal(sim.stats.loginFailures, 0)
})

t.test('an unknown session cookie is anonymous, not an error', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: 'JSESSIONID=0123456789ABCDEF0123456789ABCDEF' } })
  t.equal(res.status, 401)
  t.equal(res.headers.get('x-ausername'), 'anonymous')
})

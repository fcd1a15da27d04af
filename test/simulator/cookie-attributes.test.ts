import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { login } from './_client.js'

t.test('with a context path every Jira URL lives under it and the cookie path is the context path', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  t.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+\/jira$/)
  t.equal(sim.url, `http://127.0.0.1:${sim.port}/jira`)

  const res = await fetch(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
  })
  t.equal(res.status, 200)
  const [cookie] = res.headers.getSetCookie()
  t.match(cookie, /^JSESSIONID=[0-9A-F]{32}; Path=\/jira; HttpOnly$/)

  const outside = await fetch(`http://127.0.0.1:${sim.port}/rest/auth/1/session`)
  t.equal(outside.status, 404, 'outside the context path')
  t.equal(outside.headers.get('x-ausername'), 'anonymous')
  const sibling = await fetch(`http://127.0.0.1:${sim.port}/jiraX/rest/api/2/myself`)
  t.equal(sibling.status, 404, 'a path that only starts like the context path')
})

t.test('a context path given with slashes is normalised', async (t) => {
  const sim = await startSimulator(t, { contextPath: 'jira/' })
  t.equal(sim.url, `http://127.0.0.1:${sim.port}/jira`)
})

t.test('secureCookies adds Secure', async (t) => {
  const sim = await startSimulator(t, { secureCookies: true, contextPath: '/jira' })
  const res = await fetch(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bob', password: 'bob-secret' })
  })
  t.match(res.headers.getSetCookie()[0], /^JSESSIONID=[0-9A-F]{32}; Path=\/jira; HttpOnly; Secure$/)
})

t.test('every login opens a distinct session and counts logins', async (t) => {
  const sim = await startSimulator(t)
  const first = await login(sim, 'alice', 'alice-secret')
  const second = await login(sim, 'alice', 'alice-secret')
  t.not(first, second)
  const res = await fetch(`${sim.url}/rest/auth/1/session`, { headers: { cookie: `JSESSIONID=${second}` } })
  const body = await res.json() as { loginInfo: { loginCount: number } }
  t.equal(body.loginInfo.loginCount, 2)
  t.equal(sim.stats.sessionsCreated, 2)
})

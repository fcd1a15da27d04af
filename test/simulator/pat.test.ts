import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { sessionIdFrom } from './_client.js'

t.test('a personal access token authenticates and opens a session', async (t) => {
  const sim = await startSimulator(t, { pats: { 'NjM4-pat-of-svc': 'svc' } })
  const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: 'Bearer NjM4-pat-of-svc' } })
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-ausername'), 'svc')
  const body = await res.json() as { name: string }
  t.equal(body.name, 'svc')
  const id = sessionIdFrom(res)
  t.ok(id, 'Set-Cookie carries a session the caller can reuse')
  t.equal(sim.stats.calls.pat, 1)
  t.equal(sim.stats.callsByUser.svc?.pat, 1)

  const reuse = await fetch(`${sim.url}/rest/auth/1/session`, { headers: { cookie: `JSESSIONID=${id}` } })
  t.equal(reuse.status, 200)
  t.equal(sim.stats.calls.pat_login, undefined, 'a session check by cookie is not a PAT login')
  const login = await fetch(`${sim.url}/rest/auth/1/session`, { headers: { authorization: 'Bearer NjM4-pat-of-svc' } })
  t.equal(login.status, 200)
  t.equal(sim.stats.callsByUser.svc?.pat_login, 1, 'the session resource asked with the PAT is one')
  t.equal(sim.stats.calls.session, 2, 'both count as session calls')
})

t.test('an unknown personal access token answers 401', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: 'Bearer not-a-token' } })
  t.equal(res.status, 401)
  t.equal(res.headers.get('x-ausername'), 'anonymous')
})

t.test('addPat makes a token usable at once', async (t) => {
  const sim = await startSimulator(t)
  sim.control.addPat('fresh-pat', 'bob')
  const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: 'Bearer fresh-pat' } })
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-ausername'), 'bob')
})

t.test('a Bearer JWT is not Jira authentication: the request is anonymous', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln' } })
  t.equal(res.status, 401)
  t.equal(res.headers.get('x-seraph-loginreason'), null)
  t.same(res.headers.getSetCookie(), [])
})

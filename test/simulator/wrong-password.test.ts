import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'

const loginAs = (url: string, username: string, password: string): Promise<Response> => fetch(`${url}/rest/auth/1/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username, password })
})

t.test('a wrong password answers 401 AUTHENTICATED_FAILED', async (t) => {
  const sim = await startSimulator(t)
  const res = await loginAs(sim.url, 'alice', 'wrong')
  t.equal(res.status, 401)
  t.equal(res.headers.get('x-seraph-loginreason'), 'AUTHENTICATED_FAILED')
  t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8')
  t.same(await res.json(), { errorMessages: ['Login failed'], errors: {} })
  t.same(res.headers.getSetCookie(), [])
  t.equal(sim.stats.loginFailures, 1)
  t.equal(sim.stats.callsByUser.alice?.login, 1)
  t.equal(sim.stats.sessionsCreated, 0)
})

t.test('an unknown user fails the same way', async (t) => {
  const sim = await startSimulator(t)
  const res = await loginAs(sim.url, 'mallory', 'anything')
  t.equal(res.status, 401)
  t.equal(res.headers.get('x-seraph-loginreason'), 'AUTHENTICATED_FAILED')
  t.equal(sim.stats.loginFailures, 1)
  t.equal(sim.stats.callsByUser.mallory?.login, 1)
})

t.test('addUser makes a user able to log in', async (t) => {
  const sim = await startSimulator(t, { users: {} })
  t.equal((await loginAs(sim.url, 'alice', 'alice-secret')).status, 401, 'default users are replaced')
  sim.control.addUser('carol', 'carol-pw')
  t.equal((await loginAs(sim.url, 'carol', 'carol-pw')).status, 200)
})

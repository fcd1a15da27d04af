import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a Basic client on plain Jira routes gets one Jira session, not one per request, shared with BigPicture', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const headers = { authorization: basic('bob', 'bob-secret') }
  for (let i = 0; i < 5; i++) {
    const me = await call(`${proxy.url}/rest/api/2/myself`, { headers })
    t.equal(me.status, 200)
    t.equal((me.body as { name: string }).name, 'bob')
    t.equal(me.headers.get('set-cookie'), null, 'the session stays with the proxy')
  }
  t.equal(sim.stats.sessionsCreated, 1, 'one session for five requests')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers })).status, 200)
  t.equal(sim.stats.sessionsCreated, 1, 'BigPicture reuses it')
  t.equal(sim.stats.calls.login ?? 0, 0, 'no REST login was needed')
  sim.control.expireSessions('bob')
  t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers })).status, 200, 'a dead session falls back to the credentials')
  t.equal(sim.stats.sessionsCreated, 2, 'and the new session is kept')
  t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers })).status, 200)
  t.equal(sim.stats.sessionsCreated, 2)
})

t.test("identities never share a session on plain Jira routes", async (t) => {
  const sim = await startSimulator(t, { pats: { 'pat-of-alice-0123456789': 'alice' } })
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const bob = { authorization: basic('bob', 'bob-secret') }
  const alice = { authorization: 'Bearer pat-of-alice-0123456789' }
  for (let i = 0; i < 3; i++) {
    t.equal(((await call(`${proxy.url}/rest/api/2/myself`, { headers: bob })).body as { name: string }).name, 'bob')
    t.equal(((await call(`${proxy.url}/rest/api/2/myself`, { headers: alice })).body as { name: string }).name, 'alice')
  }
  t.equal(sim.stats.sessionsCreated, 2)
})

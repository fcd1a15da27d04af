import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { basic, login, sessionIdFrom } from './_client.js'

t.test('each Basic-authenticated request opens a new session with its own cookie', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const ids = new Set<string>()
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: basic('alice', 'alice-secret') } })
    t.equal(res.status, 200)
    t.equal(res.headers.get('x-ausername'), 'alice')
    t.match(res.headers.getSetCookie()[0], /^JSESSIONID=[0-9A-F]{32}; Path=\/jira; HttpOnly$/)
    ids.add(sessionIdFrom(res) ?? '')
  }
  t.equal(ids.size, 3)
  t.equal(sim.stats.sessionsCreated, 3)
  t.equal(sim.stats.calls.basic, 3)
  t.equal(sim.stats.callsByUser.alice?.basic, 3)
  t.equal(sim.stats.callsByUser.alice?.myself, 3)

  const [reused] = [...ids]
  const viaCookie = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: `JSESSIONID=${reused}` } })
  t.equal(viaCookie.status, 200, 'the cookie a Basic request got works on its own')
  t.same(viaCookie.headers.getSetCookie(), [])
})

t.test('a live cookie wins over Basic credentials', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'bob', 'bob-secret')
  const res = await fetch(`${sim.url}/rest/api/2/myself`, {
    headers: { cookie: `JSESSIONID=${id}`, authorization: basic('alice', 'wrong') }
  })
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-ausername'), 'bob')
  t.same(res.headers.getSetCookie(), [])
  t.equal(sim.stats.loginFailures, 0, 'the Basic credentials were not even tried')
})

t.test('wrong Basic credentials answer 401 AUTHENTICATED_FAILED on any endpoint', async (t) => {
  const sim = await startSimulator(t, { captchaAfter: 100 })
  for (const path of ['/rest/api/2/myself', '/rest/api/2/serverInfo', '/nothing/here', '/rest/softwareplant-bigpicture/1.0/system/auth']) {
    const res = await fetch(`${sim.url}${path}`, { headers: { authorization: basic('alice', 'nope') } })
    t.equal(res.status, 401, path)
    t.equal(res.headers.get('x-seraph-loginreason'), 'AUTHENTICATED_FAILED', path)
    t.equal(res.headers.get('x-ausername'), 'anonymous', path)
    t.same(res.headers.getSetCookie(), [], path)
  }
  t.equal(sim.stats.loginFailures, 4)
})

t.test('Basic credentials that do not decode fail like a wrong password', async (t) => {
  const sim = await startSimulator(t)
  for (const authorization of ['Basic !!!', 'Basic ' + Buffer.from('no-colon').toString('base64'), 'Basic ']) {
    const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization } })
    t.equal(res.status, 401, authorization)
    t.equal(res.headers.get('x-seraph-loginreason'), 'AUTHENTICATED_FAILED')
  }
})

import t from 'tap'
import { BIGPICTURE_APPS } from '../../src/simulator/index.js'
import { startSimulator } from '../helpers/simulator.js'
import { basic, jwtPayload, login } from './_client.js'

const authUrl = (base: string, app = 'softwareplant-bigpicture'): string => `${base}/rest/${app}/1.0/system/auth`

t.test('system/auth answers a token pair for a session cookie, for every app', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const id = await login(sim, 'alice', 'alice-secret')
  t.same(BIGPICTURE_APPS, ['softwareplant-bigpicture', 'softwareplant-biggantt', 'softwareplant-bigtemplate'])
  for (const app of BIGPICTURE_APPS) {
    const res = await fetch(authUrl(sim.url, app), { headers: { cookie: `JSESSIONID=${id}` } })
    t.equal(res.status, 200, app)
    t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8')
    t.equal(res.headers.get('x-ausername'), 'alice')
    const body = await res.json() as { authentication: string, refresh: string }
    t.same(Object.keys(body).sort(), ['authentication', 'refresh'])
    t.match(jwtPayload(body.authentication), { sub: 'alice', sid: id, app, typ: 'auth' })
    t.match(jwtPayload(body.refresh), { sub: 'alice', sid: id, app, typ: 'refresh' })
  }
  t.equal(sim.stats.calls.auth, 3)
  t.equal(sim.stats.callsByUser.alice?.auth, 3)
})

t.test('system/auth accepts Basic credentials and opens a session', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(authUrl(sim.url), { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-ausername'), 'bob')
  const [cookie] = res.headers.getSetCookie()
  const sid = /^JSESSIONID=([0-9A-F]+);/.exec(cookie ?? '')?.[1]
  const body = await res.json() as { authentication: string }
  t.equal(jwtPayload(body.authentication).sid, sid, 'the token belongs to the session just opened')
})

t.test('system/auth accepts a personal access token', async (t) => {
  const sim = await startSimulator(t, { pats: { 'svc-pat': 'svc' } })
  const res = await fetch(authUrl(sim.url, 'softwareplant-biggantt'), { headers: { authorization: 'Bearer svc-pat' } })
  t.equal(res.status, 200)
  const body = await res.json() as { authentication: string }
  t.equal(jwtPayload(body.authentication).sub, 'svc')
})

t.test('system/auth without a live Jira identity answers 401', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  sim.control.expireSessions()
  const attempts: Array<Record<string, string>> = [{}, { cookie: `JSESSIONID=${id}` }, { authorization: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' }]
  for (const headers of attempts) {
    const res = await fetch(authUrl(sim.url), { headers })
    t.equal(res.status, 401, JSON.stringify(headers))
    t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8')
    t.equal(res.headers.get('x-ausername'), 'anonymous')
  }
})

import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { login } from './_client.js'

t.test('every answer carries Date and X-AUSERNAME', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const id = await login(sim, 'alice', 'alice-secret')
  const root = `http://127.0.0.1:${sim.port}`
  const cases: Array<[string, RequestInit, string]> = [
    [`${sim.url}/rest/api/2/myself`, { headers: { cookie: `JSESSIONID=${id}` } }, 'alice'],
    [`${sim.url}/rest/api/2/myself`, {}, 'anonymous'],
    [`${sim.url}/rest/api/2/unknown`, { headers: { cookie: `JSESSIONID=${id}` } }, 'alice'],
    [`${sim.url}/rest/softwareplant-bigpicture/1.0/box`, { headers: { cookie: `JSESSIONID=${id}` } }, 'alice'],
    [`${sim.url}/rest/softwareplant-bigpicture/1.0/system/auth`, {}, 'anonymous'],
    [`${sim.url}/rest/softwareplant-biggantt/1.0/system/reauth`, { headers: { authorization: 'garbage' } }, 'anonymous'],
    [`${sim.url}/rest/auth/1/session`, { method: 'POST', body: 'not json' }, 'anonymous'],
    [`${sim.url}/rest/%E0%A4%A/x`, {}, 'anonymous'],
    [`${root}/elsewhere`, {}, 'anonymous']
  ]
  for (const [url, init, user] of cases) {
    const res = await fetch(url, init)
    await res.arrayBuffer()
    t.equal(res.headers.get('x-ausername'), user, `${url} -> ${res.status}`)
    const date = Date.parse(res.headers.get('date') ?? '')
    t.ok(Math.abs(date - Date.now()) < 5000, `${url} has a Date`)
  }
})

t.test('unknown Jira paths answer 404 JSON', async (t) => {
  const sim = await startSimulator(t)
  for (const path of ['/rest/api/2/serverInfo', '/rest/other/1.0/x', '/secure/Dashboard.jspa', '/']) {
    const res = await fetch(`${sim.url}${path}`)
    t.equal(res.status, 404, path)
    t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8')
    t.same(await res.json(), { errorMessages: ['Not found'] })
  }
  t.equal(sim.stats.calls.other, 4)
  t.equal(sim.stats.requests, 4)
  sim.control.resetStats()
  t.equal(sim.stats.requests, 0)
  t.same(sim.stats.calls, {})
})

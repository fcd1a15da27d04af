import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { basic } from './_client.js'

t.test('a call is counted by endpoint even when Jira authentication refuses it first', async (t) => {
  const sim = await startSimulator(t, { captchaAfter: 100 })
  const refused: Array<[string, RequestInit]> = [
    ['/rest/auth/1/session', { headers: { authorization: 'Bearer unknown-pat' } }],
    ['/rest/auth/1/session', { method: 'DELETE', headers: { authorization: basic('alice', 'bad') } }],
    ['/rest/auth/1/session', { method: 'POST', headers: { authorization: basic('alice', 'bad') }, body: '{}' }],
    ['/rest/api/2/myself', { headers: { authorization: basic('bob', 'bad') } }],
    ['/rest/api/2/issue/X-1/attachments', { method: 'POST', headers: { authorization: 'Bearer unknown-pat' }, body: 'x' }],
    ['/rest/api/2/nothing', { headers: { authorization: 'Bearer unknown-pat' } }],
    ['/rest/softwareplant-bigpicture/1.0/system/auth', { headers: { authorization: basic('bob', 'bad') } }]
  ]
  for (const [path, init] of refused) {
    const res = await fetch(`${sim.url}${path}`, init)
    t.equal(res.status, 401, `${init.method ?? 'GET'} ${path}`)
  }
  t.same(sim.stats.calls, { session: 1, logout: 1, login: 1, myself: 1, attachment: 1, other: 1, auth: 1, pat: 3, basic: 4 })
  t.same(sim.stats.callsByUser, { alice: { basic: 2 }, bob: { basic: 2 } }, 'only the tried Basic users are known')
  t.equal(sim.stats.requests, 7)
  t.equal(sim.stats.loginFailures, 4)
})

t.test('with Basic disabled the refused calls are counted too', async (t) => {
  const sim = await startSimulator(t, { basicAuthDisabled: true })
  await (await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: basic('alice', 'alice-secret') } })).arrayBuffer()
  await (await fetch(`${sim.url}/rest/softwareplant-biggantt/1.0/box`, { headers: { authorization: basic('alice', 'alice-secret') } })).arrayBuffer()
  t.same(sim.stats.calls, { basic: 2, myself: 1, bigpicture: 1 })
})

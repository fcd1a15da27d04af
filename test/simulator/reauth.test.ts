import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { jwtPayload, login, tokensFor } from './_client.js'

const reauthUrl = (base: string, app = 'softwareplant-bigpicture'): string => `${base}/rest/${app}/1.0/system/reauth`

t.test('reauth trades a raw refresh token for a new authentication token, without a cookie', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication, refresh } = await tokensFor(sim, id)
  sim.control.expireSessions()
  const res = await fetch(reauthUrl(sim.url), { headers: { authorization: refresh } })
  t.equal(res.status, 200)
  const body = await res.json() as { authentication: string }
  t.same(Object.keys(body), ['authentication'], 'no new refresh token')
  t.not(body.authentication, authentication)
  t.match(jwtPayload(body.authentication), { sub: 'alice', sid: id, typ: 'auth', app: 'softwareplant-bigpicture' })
  t.equal(sim.stats.calls.reauth, 1)
  t.equal(sim.stats.callsByUser.alice?.reauth, 1)
})

t.test('reauth refuses what is not a refresh token of that app', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication, refresh } = await tokensFor(sim, id)
  const cases: Array<[string, string]> = [
    ['an authentication token', authentication],
    ['Bearer-prefixed', `Bearer ${refresh}`],
    ['no token', ''],
    ['garbage', 'a.b.c']
  ]
  for (const [name, authorization] of cases) {
    const res = await fetch(reauthUrl(sim.url), { headers: authorization === '' ? {} : { authorization } })
    t.equal(res.status, 401, name)
    t.same(await res.json(), { message: 'JWT token is invalid or expired' })
  }
  const otherApp = await fetch(reauthUrl(sim.url, 'softwareplant-biggantt'), { headers: { authorization: refresh } })
  t.equal(otherApp.status, 401, 'another app\'s refresh token')
})

t.test('an expired refresh token is refused', async (t) => {
  const sim = await startSimulator(t, { refreshTokenSeconds: 1 })
  const id = await login(sim, 'bob', 'bob-secret')
  const { refresh } = await tokensFor(sim, id)
  await new Promise((resolve) => setTimeout(resolve, 2100))
  const res = await fetch(reauthUrl(sim.url), { headers: { authorization: refresh } })
  t.equal(res.status, 401)
})

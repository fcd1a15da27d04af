import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { bigPicture } from './_bigpicture.js'
import { login, tokensFor } from './_client.js'

t.test('an expired authentication token answers 401; reauth brings the next one', async (t) => {
  const sim = await startSimulator(t, { authTokenSeconds: 1 })
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication, refresh } = await tokensFor(sim, id)
  t.equal((await bigPicture(sim, '/box', id, authentication)).status, 200)
  await sleep(2100)
  const expired = await bigPicture(sim, '/box', id, authentication)
  t.equal(expired.status, 401)
  t.equal(expired.headers.get('x-ausername'), 'alice', 'the session is still alive')
  t.same(await expired.json(), { message: 'JWT token is invalid or expired' })
  t.equal(sim.stats.rejectedTokens, 1)

  sim.control.setLifetimes({ authTokenSeconds: 900 })
  const reauth = await fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/system/reauth`, { headers: { authorization: refresh } })
  const { authentication: next } = await reauth.json() as { authentication: string }
  t.equal((await bigPicture(sim, '/box', id, next)).status, 200)
})

t.test('setLifetimes shortens tokens issued afterwards', async (t) => {
  const sim = await startSimulator(t)
  sim.control.setLifetimes({ authTokenSeconds: 5, refreshTokenSeconds: 60 })
  const id = await login(sim, 'bob', 'bob-secret')
  const { authentication, refresh } = await tokensFor(sim, id)
  const payload = (token: string): { iat: number, exp: number } => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { iat: number, exp: number }
  t.equal(payload(authentication).exp - payload(authentication).iat, 5)
  t.equal(payload(refresh).exp - payload(refresh).iat, 60)
})

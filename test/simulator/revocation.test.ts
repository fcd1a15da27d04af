import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { bigPicture } from './_bigpicture.js'
import { login, tokensFor } from './_client.js'

const reauth = (url: string, refresh: string): Promise<Response> =>
  fetch(`${url}/rest/softwareplant-bigpicture/1.0/system/reauth`, { headers: { authorization: refresh } })

t.test('revokeAllTokens invalidates authentication and refresh tokens', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication, refresh } = await tokensFor(sim, id)
  sim.control.revokeAllTokens()
  t.equal((await bigPicture(sim, '/box', id, authentication)).status, 401)
  t.equal((await reauth(sim.url, refresh)).status, 401)
  const fresh = await tokensFor(sim, id)
  t.equal((await bigPicture(sim, '/box', id, fresh.authentication)).status, 200, 'tokens issued afterwards work')
  t.equal((await reauth(sim.url, fresh.refresh)).status, 200)
})

t.test('revokeAuthTokens leaves refresh tokens working', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication, refresh } = await tokensFor(sim, id)
  sim.control.revokeAuthTokens()
  t.equal((await bigPicture(sim, '/box', id, authentication)).status, 401)
  const res = await reauth(sim.url, refresh)
  t.equal(res.status, 200)
  const { authentication: next } = await res.json() as { authentication: string }
  t.equal((await bigPicture(sim, '/box', id, next)).status, 200)
})

t.test('revokeAuthTokens(user) touches only that user', async (t) => {
  const sim = await startSimulator(t)
  const alice = await login(sim, 'alice', 'alice-secret')
  const bob = await login(sim, 'bob', 'bob-secret')
  const aliceTokens = await tokensFor(sim, alice)
  const bobTokens = await tokensFor(sim, bob)
  sim.control.revokeAuthTokens('alice')
  t.equal((await bigPicture(sim, '/box', alice, aliceTokens.authentication)).status, 401)
  t.equal((await bigPicture(sim, '/box', bob, bobTokens.authentication)).status, 200)
  const fresh = await tokensFor(sim, alice)
  t.equal((await bigPicture(sim, '/box', alice, fresh.authentication)).status, 200)
})

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

t.test('holdTokenAnswers: tokens are issued at once, answered on release, and a revocation in between kills them', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const { refresh } = await tokensFor(sim, id)
  const release = sim.control.holdTokenAnswers()
  let answered = false
  const held = Promise.all([tokensFor(sim, id), reauth(sim.url, refresh).then(async (r) => await r.json() as { authentication: string })])
    .finally(() => { answered = true })
  for (let i = 0; i < 200 && (sim.stats.calls.auth ?? 0) + (sim.stats.calls.reauth ?? 0) < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.notOk(answered, 'both answers are held')
  sim.control.revokeAllTokens()
  release()
  const [fromAuth, fromReauth] = await held
  t.equal((await bigPicture(sim, '/box', id, fromAuth.authentication)).status, 401, 'issued before the revocation')
  t.equal((await bigPicture(sim, '/box', id, fromReauth.authentication)).status, 401)
  const after = await tokensFor(sim, id)
  t.equal((await bigPicture(sim, '/box', id, after.authentication)).status, 200, 'answers flow again after release')
})

import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { bigPicture } from './_bigpicture.js'
import { basic, login, tokensFor } from './_client.js'

t.test('a token of another user than the session answers 403', async (t) => {
  const sim = await startSimulator(t)
  const alice = await login(sim, 'alice', 'alice-secret')
  const bob = await login(sim, 'bob', 'bob-secret')
  const { authentication } = await tokensFor(sim, alice)
  const res = await bigPicture(sim, '/box', bob, authentication)
  t.equal(res.status, 403)
  t.equal(res.headers.get('x-ausername'), 'bob')
  t.same(await res.json(), { message: 'Token does not belong to the current user' })
  t.equal(sim.stats.identityMismatches, 1)
  t.equal(sim.stats.rejectedTokens, 0)
})

t.test('BigPicture needs the session cookie besides the token', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication } = await tokensFor(sim, id)
  const noCookie = await bigPicture(sim, '/box', undefined, authentication)
  t.equal(noCookie.status, 401)
  t.equal(noCookie.headers.get('x-ausername'), 'anonymous')
  t.equal(sim.stats.rejectedTokens, 0, 'the session is checked before the token')

  const basicOnly = await fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/box`, { headers: { authorization: basic('alice', 'alice-secret') } })
  t.equal(basicOnly.status, 401, 'Basic credentials are not enough')
  t.equal(basicOnly.headers.get('x-ausername'), 'anonymous')
  t.same(basicOnly.headers.getSetCookie(), [])

  sim.control.expireSessions()
  const deadSession = await bigPicture(sim, '/box', id, authentication)
  t.equal(deadSession.status, 401, 'a dead session fails even with a valid token')
  t.equal(deadSession.headers.get('x-ausername'), 'anonymous')
})

t.test('order of checks: session, then token, then user', async (t) => {
  const sim = await startSimulator(t)
  const bob = await login(sim, 'bob', 'bob-secret')
  const alice = await login(sim, 'alice', 'alice-secret')
  const { authentication } = await tokensFor(sim, alice)
  t.equal((await bigPicture(sim, '/box', undefined, 'garbage')).status, 401)
  t.equal(sim.stats.rejectedTokens, 0)
  t.equal((await bigPicture(sim, '/box', bob, 'garbage')).status, 401)
  t.equal(sim.stats.rejectedTokens, 1)
  t.equal((await bigPicture(sim, '/box', bob, authentication)).status, 403)
})

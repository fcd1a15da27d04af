import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { startReplicas } from './_replicas.js'

// After BigPicture refused a token, a pair another replica stored before the refusal was heard of
// may have died of the same cause: the one replay is not spent on it.

t.test('a pair another replica stored before a revocation is not taken for the refused token', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const [a, b] = await startReplicas(t, 2, sim.url, redis)
  const headers = { authorization: basic('bob', 'bob-secret') }
  for (const replica of [a, b]) t.equal((await call(`${replica?.url ?? ''}${BP}/box`, { headers })).status, 200, 'each replica has the token')
  sim.control.revokeAuthTokens()
  t.equal((await call(`${b?.url ?? ''}${BP}/box`, { headers })).status, 200, 'the second replica refreshes and stores its pair')
  sim.control.revokeAuthTokens()
  const reauths = sim.stats.calls.reauth ?? 0
  t.equal((await call(`${a?.url ?? ''}${BP}/box`, { headers })).status, 200, 'the first replica, refused, refreshes instead of taking the revoked pair')
  t.equal(sim.stats.calls.reauth, reauths + 1, 'one reauth for it')
})

import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { startReplicas } from './_replicas.js'

// An account held after a failure on one replica is held on the others; the operator's reset
// (SIGHUP) on any replica clears it for all of them.

t.test('held everywhere after one failure; one reset clears it everywhere', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const [a, b] = await startReplicas(t, 2, sim.url, redis)
  if (a === undefined || b === undefined) throw new Error('two replicas')
  t.equal((await call(`${a.url}${BP}/box`, { headers: { authorization: basic('bob', 'wrong') } })).status, 401)
  const held = await call(`${b.url}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal(held.status, 503, 'the other replica holds the account too')
  t.equal((held.body as { code: string }).code, 'LOGIN_BACKOFF')
  t.equal(sim.stats.calls.login, 1, 'without trying')
  await a.loginRules.reset()
  t.equal((await call(`${b.url}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })).status, 200, 'cleared on the other replica too')
  t.equal(sim.stats.calls.login, 2)
})

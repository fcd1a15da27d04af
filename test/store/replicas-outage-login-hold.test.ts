import t from 'tap'
import { BP, basic, call, sleep } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { startReplicas } from './_replicas.js'

// While the store is away, each replica holds an account after its first failed login instead of
// its second: two replicas then stay below Jira's CAPTCHA threshold of three on their own. The
// backoff after a first failure is made short here, so only the hold can keep a second one away.

t.test('the store down: a wrong password reaches Jira once per replica, then each holds the account', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 2, sim.url, redis, {}, { loginGuard: { baseDelayMs: 20 } })
  await redis.kill()
  for (let round = 0; round < 3; round++) {
    await sleep(50)
    for (const [i, replica] of replicas.entries()) {
      const res = await call(`${replica.url}${BP}/box`, { headers: { authorization: basic('bob', `wrong-${round}-${i}`) } })
      t.ok(res.status === 401 || res.status === 503, `round ${round}, replica ${i}: refused (${res.status})`)
    }
  }
  t.equal(sim.stats.loginFailures, 2, 'one failed login per replica, no more')
  t.equal(sim.stats.captchaChallenges, 0)
  const held = await call(`${replicas[0]?.url ?? ''}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal(held.status, 503, 'even the right password waits while the account is held')
  t.equal((held.body as { code: string }).code, 'LOGIN_BACKOFF')
  t.ok(Number(held.headers.get('retry-after')) > 3000, `held for the hold period (Retry-After ${held.headers.get('retry-after') ?? ''})`)
})

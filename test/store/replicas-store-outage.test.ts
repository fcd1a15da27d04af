import t from 'tap'
import { BP, basic, call, loginCookie, sleep } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { roundRobin, startReplicas } from './_replicas.js'

// The store killed and started again while two replicas serve: no request fails. During the
// outage the replicas go on from their own memory (and refresh by themselves when tokens are
// revoked); afterwards they use the store again.

t.test('the store killed and back mid-traffic: every request answered 200', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 2, sim.url, redis, { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  const callers: Array<Record<string, string>> = [{}, { authorization: basic('bob', 'bob-secret') }, { cookie: await loginCookie(sim.url, 'alice', 'alice-secret') }]
  const statuses: number[] = []
  let i = 0
  const traffic = async (rounds: number): Promise<void> => {
    for (let r = 0; r < rounds; r++) {
      const batch = await Promise.all(callers.flatMap((headers) => [0, 1].map(async () => await call(`${roundRobin(replicas, i++).url}${BP}/box`, { headers }))))
      statuses.push(...batch.map((a) => a.status))
      await sleep(5)
    }
  }
  await traffic(10)
  await redis.kill()
  await traffic(10)
  sim.control.revokeAuthTokens()
  await traffic(10)
  await redis.start()
  await traffic(10)
  sim.control.revokeAuthTokens()
  await traffic(10)
  t.equal(statuses.length, 300)
  t.same(statuses.filter((s) => s !== 200), [], 'no request failed')
  const downSeen = replicas.some((r) => r.logs.some((l) => l.msg === 'the shared store did not answer; going on from local state'))
  t.ok(downSeen, 'the outage was noticed')
})

import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { roundRobin, startReplicas } from './_replicas.js'

// A valid token a replica holds costs no store round trip: with the store hung (every call to it
// would time out and be counted), requests with cached tokens are served and nothing is counted.

t.test('cached tokens are served with no call to the store', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 2, sim.url, redis, { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  const callers: Array<Record<string, string>> = [{}, { authorization: basic('bob', 'bob-secret') }]
  for (const replica of replicas) for (const headers of callers) t.equal((await call(`${replica.url}${BP}/box`, { headers })).status, 200, 'warm')
  redis.freeze()
  t.teardown(() => redis.thaw())
  const answers = await Promise.all(Array.from({ length: 40 }, async (_, i) => await call(`${roundRobin(replicas, i).url}${BP}/box`, { headers: callers[i % 2] })))
  t.same(answers.map((a) => a.status), Array(40).fill(200))
  for (const replica of replicas) {
    const metrics = String((await call(`${replica.url}/_proxy/metrics`)).body)
    t.notMatch(metrics, /bigpicture_proxy_store_errors_total\{/, 'no store call was made')
    t.match(metrics, /^bigpicture_proxy_store_up 1$/m)
  }
})

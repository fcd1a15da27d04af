import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { AFFINITIES } from '../helpers/cluster.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { roundRobin, startReplicas } from './_replicas.js'

// Two replicas sharing a store in front of a two-node Data Center behind each kind of balancer:
// the session one replica logged in (and its balancer cookie) serves the other as well.

for (const { name, affinity } of AFFINITIES) {
  t.test(`two replicas, two Jira nodes, ${name}: one login, one auth, every request 200`, async (t) => {
    const sim = await startSimulator(t, { nodes: 2, affinity })
    const redis = await startRedis(t)
    const replicas = await startReplicas(t, 2, sim.url, redis, { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
    const callers: Array<Record<string, string>> = [{}, { authorization: basic('bob', 'bob-secret') }]
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) statuses.push((await call(`${roundRobin(replicas, i).url}${BP}/box`, { headers: callers[i % 2] })).status)
    t.same(statuses, Array(20).fill(200))
    t.equal(sim.stats.calls.login, 2, 'one login each for the service account and bob')
    t.equal(sim.stats.calls.auth, 2, 'one auth each')
  })
}

import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { startReplicas } from './_replicas.js'

// A caller's Jira session one replica found dead is dead for the others too: they answer with
// Jira's 401 without asking system/auth again.

t.test('a dead cookie asked about once across replicas', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 3, sim.url, redis)
  const cookie = 'JSESSIONID=0123456789ABCDEF0123456789ABCDEF'
  for (const replica of replicas) {
    t.equal((await call(`${replica.url}${BP}/box`, { headers: { cookie } })).status, 401, 'Jira\'s 401 reaches the caller')
  }
  t.equal(sim.stats.calls.auth, 1, 'one system/auth across replicas')
})

import t from 'tap'
import { BP, GANTT, basic, call, loginCookie } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { roundRobin, startReplicas } from './_replicas.js'

// Three replicas sharing one Redis log in once and ask system/auth once per identity and app,
// however the balancer spreads the requests, at the same moment or one after another.

t.test('a Basic caller over three replicas: one login, one auth per app', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 3, sim.url, redis)
  const authorization = basic('bob', 'bob-secret')
  const first = await Promise.all(Array.from({ length: 30 }, async (_, i) => await call(`${roundRobin(replicas, i).url}${BP}/box`, { headers: { authorization } })))
  t.same(first.map((a) => a.status), Array(30).fill(200))
  const later = await Promise.all(Array.from({ length: 30 }, async (_, i) => await call(`${roundRobin(replicas, i).url}${i % 2 === 0 ? BP : GANTT}/box`, { headers: { authorization } })))
  t.same(later.map((a) => a.status), Array(30).fill(200))
  t.equal(sim.stats.calls.login, 1, 'one login across replicas')
  t.equal(sim.stats.calls.auth, 2, 'one system/auth per app across replicas')
  t.equal(sim.stats.calls.reauth, undefined)
})

t.test('the service identity over three replicas: one login, one auth', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 3, sim.url, redis, { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  const answers = await Promise.all(Array.from({ length: 30 }, async (_, i) => await call(`${roundRobin(replicas, i).url}${BP}/box`)))
  t.same(answers.map((a) => a.status), Array(30).fill(200))
  t.equal(sim.stats.calls.login, 1)
  t.equal(sim.stats.calls.auth, 1)
})

t.test('a cookie caller over three replicas: one auth', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 3, sim.url, redis)
  const cookie = await loginCookie(sim.url, 'alice', 'alice-secret')
  const answers = await Promise.all(Array.from({ length: 30 }, async (_, i) => await call(`${roundRobin(replicas, i).url}${BP}/box`, { headers: { cookie } })))
  t.same(answers.map((a) => a.status), Array(30).fill(200))
  t.equal(sim.stats.calls.auth, 1, 'one system/auth across replicas')
})

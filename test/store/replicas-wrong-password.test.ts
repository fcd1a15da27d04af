import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { roundRobin, startReplicas } from './_replicas.js'

// A wrong password tried on three replicas reaches Jira at most twice in all (Jira demands a
// CAPTCHA at the third): the failures are counted in the shared store, and logins of one account
// are made by one replica at a time.

t.test('a wrong service password on three replicas: at most two failed logins, no CAPTCHA', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 3, sim.url, redis, { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'not-the-password' })
  const answers = await Promise.all(Array.from({ length: 30 }, async (_, i) => await call(`${roundRobin(replicas, i).url}${BP}/box`)))
  for (const replica of replicas) answers.push(await call(`${replica.url}${BP}/box`))
  t.ok(answers.every((a) => a.status === 401 || a.status === 503), `refused: ${[...new Set(answers.map((a) => a.status))].join(',')}`)
  t.ok(sim.stats.loginFailures <= 2, `${sim.stats.loginFailures} failed logins reached Jira`)
  t.equal(sim.stats.captchaChallenges, 0, 'Jira never demanded a CAPTCHA')
})

t.test('wrong passwords of one user from callers on three replicas: at most two failed logins', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const replicas = await startReplicas(t, 3, sim.url, redis)
  for (let round = 0; round < 3; round++) {
    await Promise.all(replicas.map(async (replica, i) => await call(`${replica.url}${BP}/box`, { headers: { authorization: basic('bob', `wrong-${round}-${i}`) } })))
  }
  t.ok(sim.stats.loginFailures <= 2, `${sim.stats.loginFailures} failed logins reached Jira`)
  t.equal(sim.stats.captchaChallenges, 0)
})

import t from 'tap'
import { BP, basic, call, until } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { startReplicas } from './_replicas.js'

// Replicas sharing a store hold what failed, not the name, as one proxy does: an account held by
// guesses made through one replica is held on the others for credentials not known to be good,
// while the configured service credential, and a credential that logged in through any replica,
// still log in everywhere.

const code = (body: unknown): string | undefined => (body as { code?: string }).code

t.test('guesses through one replica hold neither the service credential nor a known-good password on another', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const [a, b] = await startReplicas(t, 2, sim.url, redis, { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' }, { loginGuard: { baseDelayMs: 100 } })
  if (a === undefined || b === undefined) throw new Error('two replicas')

  const bob = { authorization: basic('bob', 'bob-secret') }
  t.equal((await call(`${a.url}${BP}/box`, { headers: bob })).status, 200, "bob's password logs in through replica A")
  t.equal(sim.stats.calls.login, 1)

  for (const name of ['svc', 'bob']) {
    for (const guess of ['wrong1', 'wrong2']) {
      await until(() => a.loginGuard.state(`user:${name}`) !== 'backoff')
      t.equal(code((await call(`${a.url}${BP}/box`, { headers: { authorization: basic(name, guess) } })).body), 'LOGIN_FAILED', `${name}: ${guess} refused by Jira`)
    }
    const third = await call(`${b.url}${BP}/box`, { headers: { authorization: basic(name, 'wrong3') } })
    t.equal(code(third.body), 'LOGIN_BACKOFF', `${name}: replica B holds the account for a third guess`)
  }
  t.equal(sim.stats.calls.login, 5, 'one login and four guesses reached Jira')

  t.equal((await call(`${b.url}${BP}/box`)).status, 200, 'the configured service credential logs in through replica B')
  t.equal(sim.stats.calls.login, 6)

  // Replica B has no session for bob: his password goes to Jira with a plain Jira request, and B
  // lets it through because replica A found it good.
  const myself = await call(`${b.url}/rest/api/2/myself`, { headers: bob })
  t.equal(myself.status, 200, "bob's known-good password reaches Jira through replica B", { body: myself.body })
  t.equal(sim.stats.calls.login, 6, 'no further login')
  t.equal(sim.stats.captchaChallenges, 0)
})

import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { built, startCli } from '../helpers/cli.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { SECRET } from './_stores.js'

// Every replica restarted (processes of the built CLI): the new ones find the Jira sessions and
// tokens in the store, so Jira sees no new login and no new system/auth.

t.test('two replicas restarted: no new login, no new auth', { skip: built ? false : 'run `npm run build` first' }, async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const env = { JIRA_URL: sim.url, STORE_URL: redis.url, STORE_SECRET: SECRET, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' }
  const authorization = basic('bob', 'bob-secret')
  const serve = async (): Promise<number[]> => {
    const replicas = await Promise.all([startCli(t, env), startCli(t, env)])
    const statuses: number[] = []
    for (const replica of replicas) {
      statuses.push((await call(`${replica.url}${BP}/box`)).status)
      statuses.push((await call(`${replica.url}${BP}/box`, { headers: { authorization } })).status)
    }
    for (const replica of replicas) {
      replica.child.kill('SIGTERM')
      t.equal(await replica.exited, 0, 'stopped cleanly')
    }
    return statuses
  }
  t.same(await serve(), [200, 200, 200, 200])
  t.same({ login: sim.stats.calls.login, auth: sim.stats.calls.auth }, { login: 2, auth: 2 }, 'the service account and bob: one login and one auth each')
  t.same(await serve(), [200, 200, 200, 200], 'the restarted replicas serve')
  t.same({ login: sim.stats.calls.login, auth: sim.stats.calls.auth }, { login: 2, auth: 2 }, 'nothing new reached Jira')
})

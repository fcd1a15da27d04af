import t from 'tap'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { doctor } from '../ops/_doctor.js'
import { SECRET, redisStore } from './_stores.js'

// `doctor` checks the shared store: it answers (and which server it is), the secret opens an
// entry it writes (then deletes), entries of other replicas open with it; never printing the
// URL's password or the secret.

const PASSWORD_IN_URL = 'redis-password-in-the-url'

t.test('a store that answers: version, a sealed entry written, read and deleted', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const other = await redisStore(t, redis, 'bpap:')
  await other.jars.replace('some-identity', 0, { from: 'another replica' }, 60_000)
  const run = await doctor({ JIRA_URL: sim.url, STORE_URL: redis.url, STORE_SECRET: SECRET })
  t.equal(run.code, 0, run.out)
  t.match(run.out, new RegExp(`✔ Shared store redis://127\\.0\\.0\\.1:${redis.port} answers: Redis 7\\.`))
  t.match(run.out, /✔ Shared store: an entry sealed with STORE_SECRET was written, read back and deleted under prefix "bpap:"/)
  t.match(run.out, /✔ Shared store: entries other replicas stored open with this STORE_SECRET/)
  t.equal((await redis.client().keys('*')).length, 1, 'only the other replica\'s entry is left')
  t.notMatch(run.out, SECRET)
})

t.test('another secret than the replicas already there: said, with the fix', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const other = await redisStore(t, redis, 'bpap:', 'the-other-replicas-secret-0123456789abcdef')
  await other.tokens.replace('some-identity\nsoftwareplant-bigpicture', 0, { authentication: 'a', refresh: undefined, authExpiresAt: 1, refreshExpiresAt: 0, issuedAt: 0 }, 60_000)
  const run = await doctor({ JIRA_URL: sim.url, STORE_URL: redis.url, STORE_SECRET: SECRET })
  t.equal(run.code, 1)
  t.match(run.out, /✘ Shared store: entries other replicas stored do not open with this STORE_SECRET\n\s+-> Every replica .* the same STORE_SECRET/)
})

t.test('a store that does not answer: said, with what to check, and no password printed', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  await redis.kill()
  const run = await doctor({ JIRA_URL: sim.url, STORE_URL: `redis://:${PASSWORD_IN_URL}@127.0.0.1:${redis.port}/2`, STORE_SECRET: SECRET })
  t.equal(run.code, 1)
  t.match(run.out, new RegExp(`✘ Shared store redis://127\\.0\\.0\\.1:${redis.port}/2 does not answer \\(ECONNREFUSED\\)\\n\\s+-> Check STORE_URL`))
  t.notMatch(run.out, PASSWORD_IN_URL)
  t.notMatch(run.out, SECRET)
})

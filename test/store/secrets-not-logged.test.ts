import t from 'tap'
import { BP, basic, call, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { SECRET } from './_stores.js'

// Neither STORE_SECRET nor the password in STORE_URL reaches a log line, a metric or readyz,
// whatever the store does (up, down, back).

const REDIS_PASSWORD = 'the-redis-password-in-store-url'

t.test('store secrets stay out of logs, metrics and readyz', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t, { password: REDIS_PASSWORD })
  const proxy = await startProxy(t, { JIRA_URL: sim.url, STORE_URL: redis.url, STORE_SECRET: SECRET, LOG_LEVEL: 'trace' })
  const seen: string[] = []
  const look = async (): Promise<void> => {
    seen.push(String((await call(`${proxy.url}/_proxy/metrics`)).body), JSON.stringify((await call(`${proxy.url}/_proxy/readyz`)).body))
  }
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })).status, 200)
  t.match(JSON.stringify((await call(`${proxy.url}/_proxy/readyz`)).body), /"store":"up"/, 'the password in the URL works')
  await look()
  await redis.kill()
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('alice', 'alice-secret') } })).status, 200, 'served from local state')
  await look()
  await redis.start()
  await until(() => proxy.logs.some((l) => l.msg === 'the shared store answers again; using it') || (void call(`${proxy.url}/_proxy/readyz`), false))
  await look()
  const everything = `${proxy.logText()}\n${seen.join('\n')}`
  t.ok(proxy.logs.some((l) => l.msg === 'the shared store did not answer; going on from local state'), 'the outage was logged')
  t.notOk(everything.includes(SECRET), 'no STORE_SECRET')
  t.notOk(everything.includes(REDIS_PASSWORD), 'no password of STORE_URL')
})

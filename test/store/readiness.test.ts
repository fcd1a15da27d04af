import t from 'tap'
import { call, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { SECRET } from './_stores.js'

// The store going away does not make a replica unready (it serves from its own memory): readyz
// stays 200 and says `store: down` in its body, and the metrics say it, until the store is back.

t.test('readyz and the metrics follow the store, readiness does not', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, STORE_URL: redis.url, STORE_SECRET: SECRET })
  const ready = async (): Promise<{ status: number, body: unknown }> => {
    const { status, body } = await call(`${proxy.url}/_proxy/readyz`)
    return { status, body }
  }
  const storeUp = async (): Promise<string | undefined> => /^bigpicture_proxy_store_up (\d)$/m.exec(String((await call(`${proxy.url}/_proxy/metrics`)).body))?.[1]

  t.same(await ready(), { status: 200, body: { status: 'ready', detail: 'Jira is running', store: 'up' } })
  t.equal(await storeUp(), '1')

  await redis.kill()
  t.same(await ready(), { status: 200, body: { status: 'ready', detail: 'Jira is running', store: 'down' } })
  t.equal(await storeUp(), '0')
  t.ok(proxy.logs.some((l) => l.level === 40 && l.msg === 'the shared store did not answer; going on from local state'), 'a warning in the log')

  await redis.start()
  let body: unknown
  await until(() => { void ready().then((r) => { body = r.body }); return (body as { store?: string } | undefined)?.store === 'up' })
  t.equal(await storeUp(), '1', 'back by itself')
})

t.test('without a store, readyz says nothing about one', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  t.same((await call(`${proxy.url}/_proxy/readyz`)).body, { status: 'ready', detail: 'Jira is running' })
})

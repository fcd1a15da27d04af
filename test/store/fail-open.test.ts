import { Writable } from 'node:stream'
import pino from 'pino'
import t, { type Test } from 'tap'
import { Metrics } from '../../src/ops/metrics.js'
import { FailOpenStore } from '../../src/store/fail-open.js'
import { UNKNOWN, type HeldLock, type TokenPairRecord } from '../../src/store/ports.js'
import { RedisStore } from '../../src/store/redis.js'
import { until } from '../helpers/clients.js'
import { type RedisServer, startRedis } from '../helpers/redis.js'
import { SECRET } from './_stores.js'

// The store down, hung or back: every call answers (UNKNOWN when the store cannot), the outage is
// counted, shown and logged once, the client reconnects by itself, and nothing is deleted.

const PAIR: TokenPairRecord = { authentication: 'a', refresh: 'r', authExpiresAt: 1, refreshExpiresAt: 2, issuedAt: 0 }

async function failOpen (t: Test, server: RedisServer): Promise<{ store: FailOpenStore, metrics: Metrics, logs: () => Array<Record<string, unknown>> }> {
  const lines: string[] = []
  const log = pino({ level: 'debug' }, new Writable({ write (chunk: Buffer, _enc, done) { lines.push(...chunk.toString().split('\n').filter((l) => l !== '')); done() } }))
  const metrics = new Metrics({ processMetrics: false, version: '0.0.0-test', node: 'v0' })
  // The client's own command timeout is far away: an answer within the test is the wrapper's.
  const redis = new RedisStore({ url: server.url, secret: SECRET, prefix: 'bpap:', commandTimeoutMs: 600_000 })
  await redis.connect()
  const store = new FailOpenStore(redis, { metrics, log, timeoutMs: 250 })
  t.teardown(() => store.close())
  return { store, metrics, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

async function metric (metrics: Metrics, name: string): Promise<Array<{ labels: Record<string, unknown>, value: number }>> {
  const found = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)
  return (found?.values ?? []) as Array<{ labels: Record<string, unknown>, value: number }>
}

t.test('killed: every call answers UNKNOWN, counted and warned about once; back: used again', async (t) => {
  const server = await startRedis(t)
  const { store, metrics, logs } = await failOpen(t, server)
  t.same(await store.tokens.replace('k', 0, PAIR, 60_000), { swapped: true, generation: 1 })

  await server.kill()
  const answers = await Promise.all([
    store.tokens.load('k'), store.tokens.replace('k', 1, PAIR, 60_000), store.tokens.remove('k', 1),
    store.jars.load('k'), store.logins.read('a', 'c'), store.logins.fail('a', 'c', [1000], 1000, Date.now()),
    store.logins.pause('a', Date.now() + 1000), store.logins.captcha('a', Date.now() + 1000, undefined),
    store.logins.succeed('a', 'c'), store.logins.resetAll(), store.deadSessions.mark('s', 1000),
    store.deadSessions.isDead('s'), store.locks.obtain('l', 1000), store.locks.release({ name: 'l', token: 'x' }),
    store.locks.released('l', 1000), store.ping()
  ])
  t.same(answers.filter((a) => a !== UNKNOWN), [], 'no call threw, none answered as if it knew')
  t.equal(store.up, false)
  t.same((await metric(metrics, 'bigpicture_proxy_store_up'))[0]?.value, 0, 'store_up says 0')
  const errors = await metric(metrics, 'bigpicture_proxy_store_errors_total')
  t.equal(errors.reduce((n, v) => n + v.value, 0), answers.length, 'each failed call counted')
  t.ok(errors.some((v) => v.labels.op === 'tokens_load'), 'by operation')
  const warnings = logs().filter((l) => l.msg === 'the shared store did not answer; going on from local state')
  t.equal(warnings.length, 1, 'one warning for the whole burst')

  await server.start()
  await until(() => store.up || (void store.ping(), false))
  t.match(await store.ping(), /^Redis \d/, 'reconnected by itself')
  t.same((await metric(metrics, 'bigpicture_proxy_store_up'))[0]?.value, 1)
  t.ok(logs().some((l) => l.msg === 'the shared store answers again; using it'))
  t.same(await store.tokens.replace('k', 0, PAIR, 60_000), { swapped: true, generation: 1 }, 'writes work again (the killed server kept nothing)')
})

t.test('hung: calls answer UNKNOWN through the timeout; nothing is deleted meanwhile', async (t) => {
  const server = await startRedis(t)
  const { store } = await failOpen(t, server)
  await store.tokens.replace('k', 0, PAIR, 60_000)
  const lock = await store.locks.obtain('l', 60_000) as HeldLock
  server.freeze()
  t.teardown(() => server.thaw())
  // Without the wrapper's timeout these would wait for the client's ten minutes.
  t.equal(await store.tokens.load('k'), UNKNOWN)
  t.equal(await store.locks.obtain('l2', 1000), UNKNOWN)
  t.equal(await store.locks.released('l', 100), UNKNOWN, 'a waiter is let go after its own limit')
  server.thaw()
  await until(() => store.up || (void store.tokens.load('k'), false))
  t.same(await store.tokens.load('k'), { value: PAIR, generation: 1 }, 'the record outlived the outage')
  t.ok(await store.locks.release(lock), 'and the lock its holder')
})

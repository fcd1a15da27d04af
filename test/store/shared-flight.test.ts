import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { Metrics } from '../../src/ops/metrics.js'
import { FailOpenStore } from '../../src/store/fail-open.js'
import type { SharedStore, Versioned, VersionedRecords } from '../../src/store/ports.js'
import { RedisStore } from '../../src/store/redis.js'
import { type FlightResult, flyShared } from '../../src/store/shared-flight.js'
import { sleep } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { SECRET, forEachStore } from './_stores.js'

// Single flight across replicas: of many callers on several replicas, one produces (calls Jira);
// the others pick up its result from the store. A failed holder lets the next try; a crashed one
// blocks no longer than its lock; a store that does not answer leaves each replica on its own.

interface Token { token: string }

async function flight (store: SharedStore, produce: (stored: Versioned<Token> | undefined) => Promise<Token>, usable = (r: Versioned<Token>) => r.value.token !== 'refused'): Promise<FlightResult<Token>> {
  const result = await flyShared<Token>({
    records: store.jars as unknown as VersionedRecords<Token>,
    locks: store.locks,
    key: 'identity',
    lockName: 'auth:identity',
    lockTtlMs: 10_000,
    usable,
    produce: async (stored) => ({ value: await produce(stored), ttlMs: 60_000 })
  })
  if (result === undefined) throw new Error('nothing produced')
  return result
}

t.test('twenty callers on two replicas: one produces, every caller gets its result', async (t) => {
  forEachStore(t, async (t, store, another) => {
    let produced = 0
    const produce = async (): Promise<Token> => {
      produced++
      await sleep(50)
      return { token: `token-${produced}` }
    }
    const results = await Promise.all(Array.from({ length: 20 }, async (_, i) => await flight(i % 2 === 0 ? store : another, produce)))
    t.equal(produced, 1, 'one call to Jira')
    t.same(new Set(results.map((r) => r.value.token)), new Set(['token-1']))
    t.equal(results.filter((r) => r.produced).length, 1)
    t.ok(results.every((r) => r.generation === 1), 'all know its generation')
    t.same((await flight(another, produce)).value, { token: 'token-1' }, 'later callers take it from the store')
    t.equal(produced, 1)
  })
})

t.test('a stored record that will not do (refused) is replaced once, from what was stored', async (t) => {
  forEachStore(t, async (t, store, another) => {
    await store.jars.replace('identity', 0, { token: 'refused' }, 60_000)
    const seen: Array<Versioned<Token> | undefined> = []
    const produce = async (stored: Versioned<Token> | undefined): Promise<Token> => {
      seen.push(stored)
      await sleep(50)
      return { token: 'fresh' }
    }
    const results = await Promise.all(Array.from({ length: 10 }, async (_, i) => await flight(i % 2 === 0 ? store : another, produce)))
    t.same(seen, [{ value: { token: 'refused' }, generation: 1 }], 'one producer, handed the stored record')
    t.ok(results.every((r) => r.value.token === 'fresh' && r.generation === 2))
  })
})

t.test('a holder that fails: its caller gets the error, the next caller tries in turn', async (t) => {
  forEachStore(t, async (t, store, another) => {
    let calls = 0
    const produce = async (): Promise<Token> => {
      calls++
      await sleep(50)
      if (calls === 1) throw new Error('Jira is down')
      return { token: 'second-try' }
    }
    const [first, second] = await Promise.allSettled([flight(store, produce), (async () => { await sleep(10); return await flight(another, produce) })()])
    t.match(first, { status: 'rejected', reason: { message: 'Jira is down' } })
    t.match(second, { status: 'fulfilled', value: { value: { token: 'second-try' } } })
    t.equal(calls, 2)
  })
})

t.test('a holder that crashed blocks the others no longer than its lock', async (t) => {
  forEachStore(t, async (t, store, another) => {
    t.ok(await store.locks.obtain('auth:identity', 150), 'a replica took the lock and died')
    const result = await flight(another, async () => ({ token: 'after-the-crash' }))
    t.same(result.value, { token: 'after-the-crash' })
  })
})

t.test('the store down: each replica produces on its own, nobody fails', async (t) => {
  const server = await startRedis(t)
  const log = pino({ level: 'silent' }, new Writable({ write (_c, _e, done) { done() } }))
  const replicas = await Promise.all([1, 2].map(async () => {
    const redis = new RedisStore({ url: server.url, secret: SECRET, prefix: 'bpap:' })
    await redis.connect()
    const store = new FailOpenStore(redis, { metrics: new Metrics({ processMetrics: false, version: '0.0.0-test', node: 'v0' }), log })
    t.teardown(() => store.close())
    return store
  }))
  await server.kill()
  let produced = 0
  const results = await Promise.all(replicas.map(async (replica) => await flight(replica, async () => ({ token: `local-${++produced}` }))))
  t.equal(produced, 2, 'one call per replica')
  t.ok(results.every((r) => r.produced && r.generation === 0), 'kept locally, not in the store')
})

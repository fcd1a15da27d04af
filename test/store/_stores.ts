import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import { MemoryStore } from '../../src/store/memory.js'
import type { SharedStore } from '../../src/store/ports.js'
import { RedisStore } from '../../src/store/redis.js'
import { type RedisServer, startRedis } from '../helpers/redis.js'

export const SECRET = 'a-store-secret-for-the-tests-0123456789'

/** A Redis store on `server` under a prefix of its own, connected, closed when the test ends. */
export async function redisStore (t: Test, server: RedisServer, prefix = `test-${randomUUID().slice(0, 8)}:`, secret = SECRET): Promise<RedisStore> {
  const store = new RedisStore({ url: server.url, secret, prefix })
  await store.connect()
  t.teardown(() => store.close())
  return store
}

/**
 * Runs one behaviour against both implementations, as two subtests. `another` is a second client
 * of the same store (a second replica): the same object in one process, a second connection to the
 * same Redis otherwise.
 */
export function forEachStore (t: Test, behaviour: (t: Test, store: SharedStore, another: SharedStore) => Promise<void>): void {
  let server: RedisServer | undefined
  t.before(async () => { server = await startRedis(t) })
  t.test('in process', async (t) => {
    const store = new MemoryStore()
    await behaviour(t, store, store)
  })
  t.test('redis', async (t) => {
    const prefix = `test-${randomUUID().slice(0, 8)}:`
    await behaviour(t, await redisStore(t, server as RedisServer, prefix), await redisStore(t, server as RedisServer, prefix))
  })
}

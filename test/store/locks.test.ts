import t from 'tap'
import type { HeldLock } from '../../src/store/ports.js'
import { forEachStore } from './_stores.js'

// Single flight across replicas: one holder at a time, released only by its holder, expiring by
// itself when the holder vanishes, and waiters woken when it is free.

t.test('one holder; only the holder releases', async (t) => {
  forEachStore(t, async (t, store, another) => {
    const held = await store.locks.obtain('auth:identity', 10_000) as HeldLock
    t.ok(held, 'the first replica takes it')
    t.equal(await another.locks.obtain('auth:identity', 10_000), undefined, 'the second does not')
    t.ok(await another.locks.obtain('auth:other-identity', 10_000), 'other names are free')
    t.equal(await another.locks.release({ name: 'auth:identity', token: 'not-the-holder' }), false, 'a stranger cannot release it')
    t.equal(await another.locks.obtain('auth:identity', 10_000), undefined, 'still held')
    t.equal(await store.locks.release(held), true)
    t.equal(await store.locks.release(held), false, 'released once')
    t.ok(await another.locks.obtain('auth:identity', 10_000), 'free again')
  })
})

t.test('of two replicas racing for it, exactly one gets it', async (t) => {
  forEachStore(t, async (t, store, another) => {
    const outcomes = await Promise.all(Array.from({ length: 20 }, async (_, i) => await (i % 2 === 0 ? store : another).locks.obtain('login:svc', 10_000)))
    t.equal(outcomes.filter((o) => o !== undefined).length, 1)
  })
})

t.test('a holder that vanishes blocks no longer than the ttl', async (t) => {
  forEachStore(t, async (t, store, another) => {
    const crashed = await store.locks.obtain('reauth:identity', 100) as HeldLock
    t.ok(crashed)
    t.equal(await another.locks.released('reauth:identity', 30_000), true, 'the waiter is freed by the expiry')
    const next = await another.locks.obtain('reauth:identity', 10_000) as HeldLock
    t.ok(next, 'and takes it')
    t.equal(await store.locks.release(crashed), false, 'the old holder cannot release the new holder\'s lock')
    t.equal(await store.locks.obtain('reauth:identity', 10_000), undefined)
  })
})

t.test('waiters are woken by the release, or give up after their timeout', async (t) => {
  forEachStore(t, async (t, store, another) => {
    t.equal(await another.locks.released('auth:free', 10), true, 'a free lock is free at once')
    const held = await store.locks.obtain('auth:identity', 60_000) as HeldLock
    t.equal(await another.locks.released('auth:identity', 50), false, 'still held after the timeout')
    const waiters = Promise.all([another.locks.released('auth:identity', 60_000), another.locks.released('auth:identity', 60_000), store.locks.released('auth:identity', 60_000)])
    await store.locks.release(held)
    t.same(await waiters, [true, true, true], 'every waiter, on either replica, well before the 60 s ttl')
  })
})

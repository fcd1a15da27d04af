import t from 'tap'
import type { Clock } from '../../src/simulator/clock.js'
import { SessionStore } from '../../src/simulator/sessions.js'

const manualClock = (): Clock & { advance (ms: number): void } => {
  let now = 1_700_000_000_000
  return { nowMs: () => now, nowSeconds: () => Math.floor(now / 1000), advance: (ms) => { now += ms } }
}

t.test('idle sessions expire at the idle limit, not before', async (t) => {
  const clock = manualClock()
  const store = new SessionStore(clock, 10)
  const session = store.create('alice')
  clock.advance(10_000)
  t.equal(store.use(session.id), session, 'exactly at the limit it is still alive, and touched')
  clock.advance(10_001)
  t.equal(store.use(session.id), undefined)
  t.equal(store.size, 0, 'an expired session found on use is dropped')
})

t.test('sessions nobody uses again are swept as new ones are created', async (t) => {
  const clock = manualClock()
  const store = new SessionStore(clock, 1)
  for (let i = 0; i < 999; i++) store.create('basic-client')
  clock.advance(2000)
  const keep = store.create('alice')
  t.equal(store.size, 1, 'the sweep on the 1000th creation removed the idle ones')
  t.equal(store.use(keep.id), keep)
})

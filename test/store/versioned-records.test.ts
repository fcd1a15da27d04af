import t from 'tap'
import type { SharedStore, TokenPairRecord } from '../../src/store/ports.js'
import { tokenRecordKey } from '../../src/store/ports.js'
import { sleep } from '../helpers/clients.js'
import { forEachStore } from './_stores.js'

// Token pairs and cookie jars: replaced whole, only over the generation the writer read, so a
// replica never overwrites what another stored meanwhile; each expires with what it holds.

const pair = (n: number): TokenPairRecord => ({ authentication: `auth-${n}`, refresh: `refresh-${n}`, authExpiresAt: 1_000 + n, refreshExpiresAt: 2_000 + n, issuedAt: n })
const KEY = tokenRecordKey('identity-key', 'softwareplant-bigpicture')

t.test('load, replace over the generation read, and nothing else', async (t) => {
  forEachStore(t, async (t, store: SharedStore, another: SharedStore) => {
    t.equal(await store.tokens.load(KEY), undefined, 'nothing stored yet')
    t.same(await store.tokens.replace(KEY, 0, pair(1), 60_000), { swapped: true, generation: 1 })
    t.same(await another.tokens.load(KEY), { value: pair(1), generation: 1 }, 'the other replica reads it, generation with it')
    t.same(await another.tokens.replace(KEY, 1, pair(2), 60_000), { swapped: true, generation: 2 })
    t.same(await store.tokens.replace(KEY, 1, pair(3), 60_000), { swapped: false, current: { value: pair(2), generation: 2 } }, 'a stale writer gets what is stored instead')
    t.same(await store.tokens.replace(KEY, 0, pair(3), 60_000), { swapped: false, current: { value: pair(2), generation: 2 } }, 'and cannot create it anew')
    t.same(await store.tokens.load(KEY), { value: pair(2), generation: 2 })
    t.equal(await store.tokens.load(tokenRecordKey('identity-key', 'softwareplant-biggantt')), undefined, 'apps are apart')
  })
})

t.test('remove only the generation read', async (t) => {
  forEachStore(t, async (t, store) => {
    await store.jars.replace('identity-key', 0, { cookies: [{ key: 'JSESSIONID', value: 'abc' }] }, 60_000)
    await store.jars.replace('identity-key', 1, { cookies: [{ key: 'JSESSIONID', value: 'def' }] }, 60_000)
    t.equal(await store.jars.remove('identity-key', 1), false, 'a replaced jar is not removed by a stale remover')
    t.same(await store.jars.load('identity-key'), { value: { cookies: [{ key: 'JSESSIONID', value: 'def' }] }, generation: 2 })
    t.equal(await store.jars.remove('identity-key', 2), true)
    t.equal(await store.jars.load('identity-key'), undefined)
    t.equal(await store.jars.remove('identity-key', 0), false, 'nothing to remove')
  })
})

t.test('one writer wins when two replicas replace the same generation at once', async (t) => {
  forEachStore(t, async (t, store, another) => {
    await store.tokens.replace(KEY, 0, pair(0), 60_000)
    const outcomes = await Promise.all(Array.from({ length: 20 }, async (_, i) => await (i % 2 === 0 ? store : another).tokens.replace(KEY, 1, pair(i + 1), 60_000)))
    const winners = outcomes.filter((o) => typeof o === 'object' && o.swapped)
    t.equal(winners.length, 1, 'exactly one replacement')
    const stored = await store.tokens.load(KEY)
    t.equal(typeof stored === 'object' ? stored.generation : 0, 2)
  })
})

t.test('a record expires with what it holds', async (t) => {
  forEachStore(t, async (t, store) => {
    await store.tokens.replace(KEY, 0, pair(1), 50)
    await store.jars.replace('identity-key', 0, {}, 60_000)
    let gone = false
    for (let i = 0; i < 100 && !gone; i++) {
      await sleep(20)
      gone = await store.tokens.load(KEY) === undefined
    }
    t.ok(gone, 'the pair is gone after its ttl')
    t.same(await store.tokens.replace(KEY, 0, pair(2), 60_000), { swapped: true, generation: 1 }, 'and can be stored anew')
    t.not(await store.jars.load('identity-key'), undefined, 'the jar with a longer ttl stays')
  })
})

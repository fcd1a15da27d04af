import { randomBytes } from 'node:crypto'
import t from 'tap'
import { JiraSession } from '../../src/tokens/session.js'
import { AppTokens, TokenStore } from '../../src/tokens/store.js'

const token = (): string => `eyJhbGciOiJIUzI1NiJ9.${randomBytes(240).toString('base64url')}.${randomBytes(32).toString('base64url')}`

t.test('AppTokens: tokens come back exactly as they were set, packed or not', async (t) => {
  const slot = new AppTokens()
  const holds = (auth: string | undefined, refresh: string | undefined, what: string): void => {
    t.equal(slot.authentication, auth, `${what}: authentication`)
    t.equal(slot.refresh, refresh, `${what}: refresh`)
    t.equal(slot.hasAuthentication, auth !== undefined, `${what}: hasAuthentication`)
    t.equal(slot.hasRefresh, refresh !== undefined, `${what}: hasRefresh`)
  }
  holds(undefined, undefined, 'new')
  const auth = token()
  const refresh = token()
  slot.authentication = auth
  slot.refresh = refresh
  holds(auth, refresh, 'set')
  slot.authentication = 'not base64url: kept as it came'
  holds('not base64url: kept as it came', refresh, 'unpackable')
  slot.authentication = undefined
  slot.refresh = undefined
  holds(undefined, undefined, 'cleared')
})

t.test('AppTokens: slots pushed out of the text copies still give their own token', async (t) => {
  // Far more slots in use than keep a text copy, each read twice, the first ones again at the end.
  const slots = Array.from({ length: 5000 }, () => new AppTokens())
  const tokens = slots.map(() => token())
  slots.forEach((s, i) => { s.authentication = tokens[i] })
  let wrong = 0
  for (let round = 0; round < 2; round++) {
    slots.forEach((s, i) => { if (s.authentication !== tokens[i]) wrong++ })
  }
  // A slot in use that gets a new token serves the new one at once.
  const renewed = token()
  ;(slots[4999] as AppTokens).authentication = renewed
  if ((slots[4999] as AppTokens).authentication !== renewed) wrong++
  ;(slots[0] as AppTokens).authentication = renewed
  if ((slots[0] as AppTokens).authentication !== renewed) wrong++
  slots.slice(1, 100).forEach((s, i) => { if (s.authentication !== tokens[i + 1]) wrong++ })
  t.equal(wrong, 0)
})

t.test('AppTokens: times come back to the millisecond or up to 16 ms early, 0 as long ago', async (t) => {
  const slot = new AppTokens()
  const now = Date.now()
  t.ok(slot.refreshAt <= now && slot.authExpiresAt <= now && slot.refreshExpiresAt <= now, 'a new slot has nothing current')
  for (const ms of [now, now + 1, now + 15 * 60_000 + 7, now + 7 * 24 * 3600_000 + 999, now - 5000]) {
    slot.authExpiresAt = ms
    slot.refreshAt = ms
    slot.refreshExpiresAt = ms
    for (const [name, got] of [['authExpiresAt', slot.authExpiresAt], ['refreshAt', slot.refreshAt], ['refreshExpiresAt', slot.refreshExpiresAt]] as const) {
      t.ok(got <= ms && got > ms - 16, `${name}: ${ms - got} ms early`)
    }
  }
  slot.refreshAt = 0
  t.ok(slot.refreshAt < now - 24 * 3600_000, '0: refresh at once')
  // Far outside the small-integer range the times are still right, only rounded.
  slot.refreshExpiresAt = now + 1000 * 24 * 3600_000
  t.ok(Math.abs(slot.refreshExpiresAt - (now + 1000 * 24 * 3600_000)) < 16)
})

t.test('AppTokens: refresh state lasts while a flight is under way or a refusal is remembered', async (t) => {
  const slot = new AppTokens()
  t.equal(slot.flight, undefined)
  t.equal(slot.flightSeq, 0)
  const first = Promise.resolve(undefined)
  slot.startFlight(first, 4)
  t.equal(slot.flight, first)
  t.equal(slot.flightSeq, 4)
  const second = Promise.resolve('x')
  slot.startFlight(second, 5)
  slot.endFlight(first)
  t.equal(slot.flight, second, 'an earlier flight ending leaves the newer one')
  slot.endFlight(second)
  t.equal(slot.flight, undefined)
  t.equal(slot.refusedSeq, 0)
  slot.refused('dead', 6, 1, 100)
  slot.alsoRefused(120)
  slot.alsoRefused(90)
  slot.startFlight(first, 7)
  slot.endFlight(first)
  t.equal(slot.flight, undefined)
  t.same([slot.refusedToken, slot.refusedSeq], ['dead', 6], 'the refusal is remembered after the flight')
  t.equal(slot.refusedSentAt, 90, 'the earliest request refused with the token')
})

t.test('TokenStore: bounded, the service identity apart, refused first contacts dropped', async (t) => {
  const store = new TokenStore(3)
  const a = store.get('a')
  t.equal(store.get('a'), a, 'the same entry for the same key')
  t.equal(store.size, 0, 'a first contact holding nothing is not in the cache')
  const live = (key: string): void => {
    store.get(key).slot(0).authentication = token()
    store.settle(key)
  }
  for (const key of ['a', 'b', 'c', 'd']) live(key)
  t.equal(store.size, 3)
  t.equal(store.peek('a'), undefined, 'the least recently used left first')
  t.equal(store.get('service'), store.peek('service'))
  t.equal(store.size, 3, 'the service identity is not in the bound')
  for (let i = 0; i < 100; i++) {
    store.get(`junk${i}`).slot(0)
    store.settle(`junk${i}`)
  }
  t.equal(store.size, 3)
  t.ok(['b', 'c', 'd'].every((key) => store.peek(key)?.hasAuthentication), 'refused first contacts pushed no live identity out')
  t.equal(store.peek('junk1'), undefined, 'and left nothing behind')
  store.get('busy').slot(0)
  store.settle('busy', true)
  t.not(store.peek('busy'), undefined, 'a first contact whose login is under way stays')

  // An entry holding nothing is dropped; one holding a token, a refresh token or a flight stays,
  // whichever app's slot holds it.
  const holders: Array<[string, (s: AppTokens) => void]> = [
    ['authentication', (s) => { s.authentication = token() }],
    ['refresh', (s) => { s.refresh = token() }],
    ['flight', (s) => { s.startFlight(Promise.resolve(undefined), 1) }]
  ]
  for (const app of [0, 1, 2, 3, 7]) {
    for (const [what, fill] of holders) {
      const store = new TokenStore(10)
      const entry = store.get('x')
      entry.slot(0)
      fill(entry.slot(app))
      store.settle('x')
      t.not(store.peek('x'), undefined, `kept: ${what} of app ${app}`)
    }
  }
  const empty = new TokenStore(10)
  empty.get('x').slot(0)
  empty.get('x').slot(4)
  empty.settle('x')
  t.equal(empty.peek('x'), undefined, 'dropped: empty slots')
  empty.get('y').session = new JiraSession()
  empty.settle('y')
  t.not(empty.peek('y'), undefined, 'kept: a Jira session')
  t.equal(empty.size, 1, 'which joined the cache')
  empty.get('z').slot(0).authentication = token()
  empty.settle('z')
  empty.get('z').slot(0).authentication = undefined
  empty.settle('z')
  t.equal(empty.peek('z'), undefined, 'a cached entry left with nothing leaves')
})

t.test('IdentityTokens: each app has a slot of its own, made once', async (t) => {
  const entry = new TokenStore(10).get('x')
  const slots = [0, 1, 2, 3, 4, 9].map((app) => {
    t.equal(entry.app(app), undefined, `app ${app}: none before first use`)
    const s = entry.slot(app)
    t.equal(entry.slot(app), s, `app ${app}: the same slot again`)
    t.equal(entry.app(app), s)
    return s
  })
  t.equal(new Set(slots).size, slots.length, 'no two apps share a slot')
  t.equal(entry.app(5), undefined)
  let seen = 0
  entry.someApp(() => { seen++; return false })
  t.equal(seen, slots.length, 'someApp visits every slot there is')
})

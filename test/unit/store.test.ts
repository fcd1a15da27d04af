import { randomBytes } from 'node:crypto'
import t from 'tap'
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

t.test('TokenStore: bounded, the service identity apart, refused first contacts dropped', async (t) => {
  const store = new TokenStore(3, 2)
  const a = store.get('a')
  t.equal(store.get('a'), a, 'the same entry for the same key')
  t.equal(a.apps.length, 2)
  store.get('b')
  store.get('c')
  store.get('d')
  t.equal(store.size, 3)
  t.equal(store.peek('a'), undefined, 'the least recently used left first')
  t.equal(store.get('service'), store.peek('service'))
  t.equal(store.size, 3, 'the service identity is not in the bound')

  // An entry holding nothing is dropped; one holding a token, a refresh token or a flight stays.
  const holders: Array<[string, (s: AppTokens) => void]> = [
    ['authentication', (s) => { s.authentication = token() }],
    ['refresh', (s) => { s.refresh = token() }],
    ['flight', (s) => { s.flight = Promise.resolve(undefined) }]
  ]
  for (const [what, fill] of holders) {
    const store = new TokenStore(10, 1)
    const slot = new AppTokens()
    fill(slot)
    store.get('x').apps[0] = slot
    store.forgetIfEmpty('x')
    t.not(store.peek('x'), undefined, `kept: ${what}`)
  }
  const empty = new TokenStore(10, 1)
  empty.get('x').apps[0] = new AppTokens()
  empty.forgetIfEmpty('x')
  t.equal(empty.peek('x'), undefined, 'dropped: an empty slot')
  empty.get('y').sessionId = 's'
  empty.forgetIfEmpty('y')
  t.not(empty.peek('y'), undefined, 'kept: a Jira session')
})

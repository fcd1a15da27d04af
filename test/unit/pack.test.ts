import { randomBytes } from 'node:crypto'
import t from 'tap'
import { hasToken, packTokens, unpackToken } from '../../src/tokens/pack.js'

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url')
const HEADER = b64('{"alg":"HS256","typ":"JWT"}')
/** A token shaped like BigPicture's: JSON header and claims, a 32-byte HMAC, about 400 characters. */
const jwt = (): string => `${HEADER}.${b64(JSON.stringify({ sub: 'alice', iat: 1_796_000_000, exp: 1_796_000_900, jti: randomBytes(12).toString('hex'), ctx: 'x'.repeat(180) }))}.${b64(randomBytes(32))}`
const isOneByte = (s: string): boolean => [...s].every((c) => (c.codePointAt(0) as number) <= 0xff)
const packToken = (token: string): string => packTokens(token, undefined)
const unpackOne = (packed: string): string | undefined => unpackToken(packed, 0)

t.test('a pair of JWTs comes back exactly, in under three quarters of its length', async (t) => {
  for (let i = 0; i < 50; i++) {
    const auth = jwt()
    const refresh = jwt()
    const packed = packTokens(auth, refresh)
    t.equal(unpackToken(packed, 0), auth)
    t.equal(unpackToken(packed, 1), refresh)
    // The shared header is not in the pair: three quarters of the rest, and a few length bytes.
    const rest = (auth.length - HEADER.length) + (refresh.length - HEADER.length)
    t.ok(packed.length <= Math.ceil(rest * 0.75) + 12, `${packed.length} of ${auth.length + refresh.length}`)
    t.ok(isOneByte(packed), 'one byte a character')
  }
})

t.test('either token of a pair may be absent, or not packable', async (t) => {
  const token = jwt()
  const odd = 'tökén.ünïcødé.☃'
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined], [token, undefined], [undefined, token], [odd, token], [token, odd], ['', ''], [odd, undefined]
  ]
  for (const [a, b] of cases) {
    const packed = packTokens(a, b)
    t.same([unpackToken(packed, 0), unpackToken(packed, 1)], [a, b], JSON.stringify([a, b]))
    t.same([hasToken(packed, 0), hasToken(packed, 1)], [a !== undefined, b !== undefined])
  }
})

t.test('many distinct JWT headers: the first ones are shared, the rest kept inline, all exact', async (t) => {
  let wrong = 0
  for (let i = 0; i < 400; i++) {
    const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: `key-${i}` }))
    const token = `${header}.${b64(JSON.stringify({ exp: i }))}.${b64(randomBytes(32))}`
    const packed = packTokens(token, token)
    if (unpackToken(packed, 0) !== token || unpackToken(packed, 1) !== token) wrong++
  }
  t.equal(wrong, 0)
  // An opaque token is never put in the shared table: packed, it keeps all of its bytes.
  // (Starting like a JWT header, `eyJ`, and decoding to exactly 300 bytes.)
  const opaque = `eyJA${b64(randomBytes(297))}`
  t.equal(unpackOne(packToken(opaque)), opaque)
  t.ok(packToken(opaque).length >= 300, 'a one-segment token is inline')
})

t.test('whatever cannot be packed comes back as it came', async (t) => {
  const cases: Array<[string, string]> = [
    ['one character', 'a'],
    ['stray bits in a last character', 'AB'],
    ['stray bits, three characters', 'AAB'],
    ['a segment of 4n+1 characters', `${HEADER}.abcde.${b64('sig')}`],
    ['base64 padding', `${HEADER}.${Buffer.from('ab').toString('base64')}.sig`],
    ['standard base64 alphabet', 'ab+/cd'],
    ['a scheme and a space', 'Bearer abc.def'],
    ['a trailing dot', 'abcd.'],
    ['no signature', `${HEADER}.${b64('{"exp":1}')}.`],
    ['two dots in a row', 'abcd..efgh'],
    ['nine segments', Array.from({ length: 9 }, () => 'abcd').join('.')],
    ['characters beyond one byte', 'tökén.ünïcødé.☃'],
    ['control characters', 'ab\u0000cd\u0001'],
    ['a segment over 64 KiB decoded', 'A'.repeat(90_000)],
    ['the longest token the proxy accepts', 'A'.repeat(16_384)],
    ['empty', '']
  ]
  for (const [name, token] of cases) t.equal(unpackOne(packToken(token)), token, name)
})

t.test('random segments of every length come back exactly', async (t) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  let packedSmaller = 0
  for (let i = 0; i < 2000; i++) {
    const segments = Array.from({ length: 1 + (i % 4) }, () => {
      const bytes = randomBytes(i % 70)
      return Array.from(bytes, (b) => alphabet[b % 64]).join('')
    })
    const token = segments.join('.')
    const packed = packToken(token)
    if (unpackOne(packed) !== token) {
      t.fail(`did not come back: ${token}`)
      return
    }
    if (packed.length < token.length) packedSmaller++
  }
  // Random text is mostly canonical base64url only by chance; canonical JWTs are the point.
  t.ok(packedSmaller > 0, `${packedSmaller} of 2000 packed smaller`)
})

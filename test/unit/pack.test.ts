import { randomBytes } from 'node:crypto'
import t from 'tap'
import { packToken, unpackToken } from '../../src/tokens/pack.js'

const b64 = (value: string | Buffer): string => Buffer.from(value).toString('base64url')
const HEADER = b64('{"alg":"HS256","typ":"JWT"}')
/** A token shaped like BigPicture's: JSON header and claims, a 32-byte HMAC, about 400 characters. */
const jwt = (): string => `${HEADER}.${b64(JSON.stringify({ sub: 'alice', iat: 1_796_000_000, exp: 1_796_000_900, jti: randomBytes(12).toString('hex'), ctx: 'x'.repeat(180) }))}.${b64(randomBytes(32))}`
const isOneByte = (s: string): boolean => [...s].every((c) => (c.codePointAt(0) as number) <= 0xff)

t.test('a JWT comes back exactly, in about three quarters of its length', async (t) => {
  for (let i = 0; i < 50; i++) {
    const token = jwt()
    const packed = packToken(token)
    t.equal(unpackToken(packed), token)
    t.ok(packed.length <= Math.ceil(token.length * 0.75) + 7, `${packed.length} of ${token.length}`)
    t.ok(isOneByte(packed), 'one byte a character')
  }
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
  for (const [name, token] of cases) t.equal(unpackToken(packToken(token)), token, name)
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
    if (unpackToken(packed) !== token) {
      t.fail(`did not come back: ${token}`)
      return
    }
    if (packed.length < token.length) packedSmaller++
  }
  // Random text is mostly canonical base64url only by chance; canonical JWTs are the point.
  t.ok(packedSmaller > 0, `${packedSmaller} of 2000 packed smaller`)
})

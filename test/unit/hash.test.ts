import t from 'tap'
import { credentialKey, shortKey } from '../../src/identity/hash.js'

t.test('credentialKey: a stable 128-bit hash, never the credential', async (t) => {
  const cases: Array<[string, string]> = [
    ['cookie', 'A1B2C3D4E5F6'],
    ['basic', 'bob:correct horse battery staple'],
    ['pat', 'NjM2NTQ2ODg2OTk3OmFiY2RlZmdoaWprbG1ub3A='],
    ['basic', ''],
    ['pat', 'x'.repeat(10_000)]
  ]
  for (const [kind, value] of cases) {
    const key = credentialKey(kind, value)
    t.match(key, /^[A-Za-z0-9_-]{22}$/, `${kind}: base64url, 22 characters`)
    t.equal(credentialKey(kind, value), key, `${kind}: stable`)
    if (value !== '') t.notOk(key.includes(value) || value.includes(key), `${kind}: does not hold the credential`)
  }
})

t.test('credentialKey: kind and value are kept apart', async (t) => {
  t.not(credentialKey('cookie', 'same'), credentialKey('pat', 'same'))
  t.not(credentialKey('basic', 'a:b'), credentialKey('basi', 'ca:b'))
  t.not(credentialKey('pat', 'a'), credentialKey('pat', 'b'))
  t.not(credentialKey('pat', 'a'), credentialKey('pat', 'a '))
})

t.test('shortKey: the first 8 characters for log lines', async (t) => {
  const key = credentialKey('pat', 'token')
  t.equal(shortKey(key), key.slice(0, 8))
  t.equal(shortKey(key).length, 8)
  t.equal(shortKey('abc'), 'abc')
})

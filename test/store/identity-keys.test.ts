import t from 'tap'
import { keyPepper } from '../../src/identity/hash.js'
import { createIdentityResolver } from '../../src/identity/resolve.js'
import { basic } from '../helpers/clients.js'
import { SECRET } from './_stores.js'

// Replicas sharing a store find an identity under the same key: the credential hashes are peppered
// with a secret derived from STORE_SECRET instead of one of the process. Without a store, the
// process's own secret.

const REQUESTS = [
  { headers: { cookie: 'JSESSIONID=ABCDEF0123456789' }, remoteAddress: '10.0.0.1' },
  { headers: { authorization: basic('alice', 'wonderland') }, remoteAddress: '10.0.0.1' },
  { headers: { authorization: 'Bearer a-personal-access-token' }, remoteAddress: '10.0.0.1' }
]
const keysOf = (pepper: string): string[] => {
  const resolve = createIdentityResolver(undefined, [], pepper)
  return REQUESTS.map((req) => (resolve(req) as { key: string }).key)
}

t.test('the same STORE_SECRET gives the same keys; another secret, or none, other keys', async (t) => {
  const replicaA = keysOf(keyPepper(SECRET))
  const replicaB = keysOf(keyPepper(SECRET))
  t.same(replicaA, replicaB, 'two replicas agree')
  const other = keysOf(keyPepper('another-store-secret-0123456789-abcdef'))
  const own = keysOf(keyPepper())
  for (let i = 0; i < REQUESTS.length; i++) {
    t.not(other[i], replicaA[i], 'another secret, another key')
    t.not(own[i], replicaA[i], 'the process\'s own pepper is not the store\'s')
  }
  t.equal(new Set(replicaA).size, REQUESTS.length, 'kinds stay apart')
})

t.test('the derived pepper reveals nothing of the secret', async (t) => {
  t.notMatch(keyPepper(SECRET), SECRET)
  t.not(keyPepper(SECRET), keyPepper())
})

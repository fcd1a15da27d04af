import t from 'tap'
import { credentialKey } from '../../src/identity/hash.js'
import { SessionKeys } from '../../src/identity/session-keys.js'

t.test('a session id is hashed once, whoever presents it next', async (t) => {
  const hashed: string[] = []
  const keys = new SessionKeys(8, (id) => { hashed.push(id); return credentialKey('cookie', id) })
  // A gateway's connection: many callers' cookies in turn, each caller coming back.
  for (let round = 0; round < 3; round++) {
    for (const id of ['A', 'B', 'C', 'D']) t.equal(keys.keyOf(id), credentialKey('cookie', id), `round ${round} ${id}`)
  }
  t.same(hashed, ['A', 'B', 'C', 'D'], 'each session hashed on first sight only')
})

t.test('the memo is bounded: the least recently used session leaves first and is hashed again', async (t) => {
  const hashed: string[] = []
  const keys = new SessionKeys(3, (id) => { hashed.push(id); return credentialKey('cookie', id) })
  for (const id of ['A', 'B', 'C', 'A', 'D']) keys.keyOf(id)
  t.equal(keys.size, 3, 'never more than its bound')
  t.same(hashed, ['A', 'B', 'C', 'D'], 'A was used again, so B left when D came')
  t.equal(keys.keyOf('A'), credentialKey('cookie', 'A'), 'A still known')
  t.equal(keys.keyOf('B'), credentialKey('cookie', 'B'), 'B comes back with its right key')
  t.same(hashed, ['A', 'B', 'C', 'D', 'B'], 'B hashed again after it had left')
})

t.test('the default key is the cookie kind\'s credential key', async (t) => {
  const keys = new SessionKeys()
  t.equal(keys.keyOf('S1'), credentialKey('cookie', 'S1'))
  t.not(keys.keyOf('S1'), credentialKey('pat', 'S1'), 'never the key of a PAT with the same text')
})

import t from 'tap'
import { FirstContactLimiter, addressKey } from '../../src/tokens/first-contact.js'

t.test('addressKey: IPv4 as is, IPv4-mapped unwrapped, IPv6 by its /64', async (t) => {
  for (const [address, key] of [
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1', 'fe80:0:0:0::/64']
  ] as const) t.equal(addressKey(address), key, address)
  t.equal(addressKey(undefined), '')
})

t.test('one address takes at most a quarter of the global budget', async (t) => {
  const now = { ms: 0 }
  const limiter = new FirstContactLimiter(4, 20, () => now.ms)
  const admitted = (address: string): boolean => {
    try {
      limiter.admit(address)
      return true
    } catch (err) {
      t.equal((err as { code: string }).code, 'LOGIN_BACKOFF')
      return false
    }
  }
  let flood = 0
  for (let i = 0; i < 100; i++) if (admitted('10.0.0.1')) flood++
  t.equal(flood, 5, 'the flooding address gets its own burst only')
  let others = 0
  for (let i = 0; i < 15; i++) if (admitted(`10.0.1.${i}`)) others++
  t.equal(others, 15, 'the rest of the global burst is left to everyone else')
  t.notOk(admitted('10.0.2.1'), 'the global burst is spent')
  now.ms += 1000
  t.ok(admitted('10.0.2.1'), 'and refills')
})

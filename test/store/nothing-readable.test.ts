import t from 'tap'
import { tokenRecordKey } from '../../src/store/ports.js'
import { startRedis } from '../helpers/redis.js'
import { redisStore } from './_stores.js'

// Nothing in Redis is readable as a token, a cookie, an identity key, an account name or a
// credential: every key is the prefix, a kind and an HMAC; every value sealed with AES-256-GCM.
// A store read with another secret yields nothing.

const SECRETS = {
  identityKey: 'IdentityKeyHashAbc123',
  authentication: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLWF1dGg',
  refresh: 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJyZWZyZXNoIn0.c2lnbmF0dXJlLW9mLXJlZnJlc2g',
  cookie: 'JSESSIONID-7F3A9C0B1D2E4F56',
  account: 'svc-bigpicture-account',
  credential: 'CredentialKeyXyz789',
  goodCredential: 'GoodCredentialKeyRty321',
  session: 'CallerSessionQwe456',
  loginUrl: 'https://jira.example.com/login.jsp?captcha-for-someone'
}

t.test('scan every key and value: only the prefix and digests', async (t) => {
  const server = await startRedis(t)
  const store = await redisStore(t, server, 'bpap:')
  const app = 'softwareplant-bigpicture'
  await store.tokens.replace(tokenRecordKey(SECRETS.identityKey, app), 0, { authentication: SECRETS.authentication, refresh: SECRETS.refresh, authExpiresAt: 1, refreshExpiresAt: 2, issuedAt: 0 }, 60_000)
  await store.jars.replace(SECRETS.identityKey, 0, { cookies: [{ key: 'JSESSIONID', value: SECRETS.cookie }] }, 60_000)
  await store.logins.fail(`user:${SECRETS.account}`, SECRETS.credential, [30_000], 60_000, Date.now())
  await store.logins.captcha(`user:${SECRETS.account}`, Date.now() + 60_000, SECRETS.loginUrl)
  await store.logins.succeed(`user:${SECRETS.account}-2`, SECRETS.goodCredential)
  await store.deadSessions.mark(SECRETS.session, 60_000)
  const lock = await store.locks.obtain(`login:user:${SECRETS.account}`, 60_000)
  t.ok(lock)

  const redis = server.client()
  const keys = await redis.keys('*')
  t.equal(keys.length, 6, `one entry each: ${keys.join(' ')}`)
  const dump: string[] = []
  for (const key of keys) {
    t.match(key, /^bpap:[tjlgdk]:[A-Za-z0-9_-]{43}$/, 'prefix, kind and an HMAC-SHA256 digest')
    const type = await redis.type(key)
    if (type === 'hash') {
      const fields = await redis.hgetallBuffer(key)
      for (const [field, value] of Object.entries(fields)) dump.push(`${key} ${field} ${value.toString('latin1')} ${value.toString('base64')} ${value.toString('hex')}`)
    } else {
      const value = await redis.getBuffer(key)
      dump.push(`${key} ${value?.toString('latin1') ?? ''} ${value?.toString('base64') ?? ''}`)
    }
  }
  const text = dump.join('\n')
  for (const [name, secret] of Object.entries(SECRETS)) {
    t.notOk(text.includes(secret), `${name} is nowhere in Redis`)
    t.notOk(text.includes(Buffer.from(secret).toString('base64').slice(0, 16)), `${name} is nowhere in Redis, base64 either`)
  }
  for (const part of ['eyJ', 'JSESSIONID', 'svc-bigpicture', 'jira.example.com']) t.notOk(text.includes(part), `no "${part}"`)
})

t.test('the same names under another secret are other entries, and sealed values do not open', async (t) => {
  const server = await startRedis(t)
  const store = await redisStore(t, server, 'bpap:')
  const stranger = await redisStore(t, server, 'bpap:', 'another-secret-of-enough-length-0123456789')
  await store.jars.replace(SECRETS.identityKey, 0, { value: SECRETS.cookie }, 60_000)
  t.equal(await stranger.jars.load(SECRETS.identityKey), undefined, 'not found under another secret')

  // Copy the sealed entry to where the stranger looks: it is refused, not read.
  const redis = server.client()
  const [ours] = await redis.keys('bpap:j:*')
  await stranger.jars.replace(SECRETS.identityKey, 0, { placeholder: true }, 60_000)
  const theirs = (await redis.keys('bpap:j:*')).find((k) => k !== ours) as string
  await redis.hset(theirs, 'v', await redis.hgetBuffer(ours as string, 'v') as Buffer)
  await t.rejects(stranger.jars.load(SECRETS.identityKey), 'authentication fails: a value sealed under another key')
})

t.test('a sealed value moved to another entry does not open there', async (t) => {
  const server = await startRedis(t)
  const store = await redisStore(t, server, 'bpap:')
  await store.jars.replace('identity-a', 0, { value: 'a' }, 60_000)
  await store.jars.replace('identity-b', 0, { value: 'b' }, 60_000)
  const redis = server.client()
  const [first, second] = await redis.keys('bpap:j:*') as [string, string]
  await redis.hset(second, 'v', await redis.hgetBuffer(first, 'v') as Buffer)
  const loads = await Promise.allSettled([store.jars.load('identity-a'), store.jars.load('identity-b')])
  t.same(loads.map((l) => l.status).sort(), ['fulfilled', 'rejected'], 'the moved value is refused where it does not belong')
})

import type { IncomingHttpHeaders } from 'node:http'
import t from 'tap'
import type { ServiceCredentials } from '../../src/config.js'
import { ProxyError } from '../../src/errors.js'
import { credentialKey, shortKey } from '../../src/identity/hash.js'
import { createIdentityResolver, isLoopbackAddress } from '../../src/identity/resolve.js'
import type { Identity } from '../../src/identity/types.js'

const SERVICE: ServiceCredentials = { kind: 'password', username: 'svc', password: 'svc-secret' }
const KEY = 'proxy-key-0123456789abcdef'
const OTHER_KEY = 'proxy-key-fedcba9876543210'
// A JWT shape: header.payload.signature, base64url, starting with `ey`.
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6MjAwMDAwMDAwMH0.c2lnbmF0dXJl'
const LOCAL = '127.0.0.1'
const REMOTE = '10.1.2.3'

const basic = (userPass: string): string => `Basic ${Buffer.from(userPass, 'utf8').toString('base64')}`

function kindOf (identity: Identity): string {
  return identity.kind === 'none' ? `none${identity.serviceRefused ? ':refused' : ''}` : identity.kind
}

t.test('the identity chain, first match wins', async (t) => {
  const resolve = createIdentityResolver(SERVICE, [KEY])
  const cases: Array<[string, IncomingHttpHeaders, string | undefined, string]> = [
    ['raw JWT', { authorization: JWT }, LOCAL, 'passthrough'],
    ['raw JWT beats a cookie', { authorization: JWT, cookie: 'JSESSIONID=S1' }, LOCAL, 'passthrough'],
    ['APIToken', { authorization: 'APIToken abc.def' }, REMOTE, 'passthrough'],
    ['APIToken beats a cookie and a key', { authorization: 'APIToken abc', cookie: 'JSESSIONID=S1', 'x-proxy-key': KEY }, REMOTE, 'passthrough'],
    ['cookie', { cookie: 'a=b; JSESSIONID=S1' }, REMOTE, 'cookie'],
    ['cookie beats Basic', { cookie: 'JSESSIONID=S1', authorization: basic('bob:pw') }, REMOTE, 'cookie'],
    ['cookie beats Bearer', { cookie: 'JSESSIONID=S1', authorization: 'Bearer pat' }, REMOTE, 'cookie'],
    ['cookie beats a wrong key', { cookie: 'JSESSIONID=S1', 'x-proxy-key': 'wrong' }, LOCAL, 'cookie'],
    ['an empty JSESSIONID is no cookie', { cookie: 'JSESSIONID=' }, LOCAL, 'service'],
    ['Basic', { authorization: basic('bob:pw') }, REMOTE, 'password'],
    ['basic, lower case', { authorization: basic('bob:pw').replace('Basic', 'basic') }, REMOTE, 'password'],
    ['Basic beats a key', { authorization: basic('bob:pw'), 'x-proxy-key': KEY }, REMOTE, 'password'],
    ['Bearer PAT', { authorization: 'Bearer pat-value' }, REMOTE, 'pat'],
    ['BEARER, upper case', { authorization: 'BEARER pat-value' }, REMOTE, 'pat'],
    ['loopback without credentials', {}, LOCAL, 'service'],
    ['another loopback address', {}, '127.8.9.10', 'service'],
    ['IPv6 loopback', {}, '::1', 'service'],
    ['IPv4-mapped loopback', {}, '::ffff:127.0.0.1', 'service'],
    ['remote without a key', {}, REMOTE, 'none:refused'],
    ['IPv4-mapped remote', {}, '::ffff:10.1.2.3', 'none:refused'],
    ['unknown peer', {}, undefined, 'none:refused'],
    ['remote with the right key', { 'x-proxy-key': KEY }, REMOTE, 'service'],
    ['loopback with the right key', { 'x-proxy-key': KEY }, LOCAL, 'service'],
    ['an empty Authorization is no credential', { authorization: '' }, LOCAL, 'service'],
    // credentials the chain does not understand stay the caller's: no service session mixed in
    ['Basic without a colon', { authorization: basic('bob') }, LOCAL, 'none'],
    ['Basic with an empty user', { authorization: basic(':pw') }, LOCAL, 'none'],
    ['Basic with bad base64', { authorization: 'Basic !!!not base64!!!' }, LOCAL, 'none'],
    ['Basic without a value', { authorization: 'Basic' }, LOCAL, 'none'],
    ['Basic with a blank value', { authorization: 'Basic   ' }, LOCAL, 'none'],
    ['Bearer without a token', { authorization: 'Bearer ' }, LOCAL, 'none'],
    ['another scheme', { authorization: 'Digest username="bob"' }, LOCAL, 'none'],
    ['a short JWT-like value', { authorization: 'eyJ.eyJ.x' }, LOCAL, 'none'],
    ['another scheme with the right key', { authorization: 'Negotiate abc', 'x-proxy-key': KEY }, REMOTE, 'none']
  ]
  for (const [name, headers, remoteAddress, expected] of cases) {
    t.equal(kindOf(resolve({ headers, remoteAddress })), expected, name)
  }
})

t.test('a wrong X-Proxy-Key is refused, even from loopback', async (t) => {
  const resolve = createIdentityResolver(SERVICE, [KEY, OTHER_KEY])
  t.equal(kindOf(resolve({ headers: { 'x-proxy-key': OTHER_KEY }, remoteAddress: REMOTE })), 'service', 'any configured key works')
  const wrong: Array<[string, string | string[]]> = [
    ['wrong key', 'not-the-key'],
    ['prefix of a key', KEY.slice(0, -1)],
    ['key with a suffix', `${KEY}x`],
    ['empty key', ''],
    ['two keys', [KEY, KEY]]
  ]
  for (const [name, key] of wrong) {
    for (const remoteAddress of [LOCAL, REMOTE]) {
      t.throws(() => resolve({ headers: { 'x-proxy-key': key }, remoteAddress }), { code: 'SERVICE_IDENTITY_FORBIDDEN', statusCode: 403 }, `${name} from ${remoteAddress}`)
    }
  }
  try {
    resolve({ headers: { 'x-proxy-key': 'leaked-key-value' }, remoteAddress: LOCAL })
    t.fail('accepted')
  } catch (err) {
    t.type(err, ProxyError)
    t.notMatch((err as Error).message, 'leaked-key-value', 'the key is not echoed')
  }
})

t.test('without a service identity', async (t) => {
  const resolve = createIdentityResolver(undefined, [KEY])
  t.same(resolve({ headers: {}, remoteAddress: LOCAL }), { kind: 'none', serviceRefused: false }, 'loopback: nothing to refuse')
  t.same(resolve({ headers: {}, remoteAddress: REMOTE }), { kind: 'none', serviceRefused: false })
  t.same(resolve({ headers: { 'x-proxy-key': KEY }, remoteAddress: REMOTE }), { kind: 'none', serviceRefused: false }, 'a valid key, but nothing to unlock')
  t.throws(() => resolve({ headers: { 'x-proxy-key': 'nope' }, remoteAddress: LOCAL }), { code: 'SERVICE_IDENTITY_FORBIDDEN' })
  const noKeys = createIdentityResolver(SERVICE, [])
  t.throws(() => noKeys({ headers: { 'x-proxy-key': KEY }, remoteAddress: LOCAL }), { code: 'SERVICE_IDENTITY_FORBIDDEN' }, 'no key is valid when none is configured')
})

t.test('identities carry what the token layer needs, keyed by a hash', async (t) => {
  const resolve = createIdentityResolver({ kind: 'pat', token: 'svc-pat' }, [])
  const cookie = resolve({ headers: { cookie: 'JSESSIONID=SESSION-1' }, remoteAddress: REMOTE })
  t.same(cookie, { kind: 'cookie', key: credentialKey('cookie', 'SESSION-1'), cookies: 'JSESSIONID=SESSION-1' })
  const behindBalancer = resolve({ headers: { cookie: 'AWSALB=node-1-v7; JSESSIONID=SESSION-1' }, remoteAddress: REMOTE })
  t.same(behindBalancer, { kind: 'cookie', key: credentialKey('cookie', 'SESSION-1'), cookies: 'AWSALB=node-1-v7; JSESSIONID=SESSION-1' }, 'every cookie travels; the session id alone keys the identity')
  const password = resolve({ headers: { authorization: basic('bob:pa:ss word') }, remoteAddress: REMOTE })
  t.same(password, { kind: 'password', key: credentialKey('basic', 'bob:pa:ss word'), username: 'bob', password: 'pa:ss word' }, 'the password may hold colons and spaces')
  const pat = resolve({ headers: { authorization: 'Bearer  the-pat ' }, remoteAddress: REMOTE })
  t.same(pat, { kind: 'pat', key: credentialKey('pat', 'the-pat'), token: 'the-pat' })
  const service = resolve({ headers: {}, remoteAddress: LOCAL })
  t.same(service, { kind: 'service', key: 'service', credentials: { kind: 'pat', token: 'svc-pat' } })

  for (const [identity, secret] of [[cookie, 'SESSION-1'], [password, 'pa:ss word'], [pat, 'the-pat']] as const) {
    const key = (identity as { key: string }).key
    t.match(key, /^[A-Za-z0-9_-]{22}$/, `${identity.kind}: key is a hash`)
    t.notMatch(key, secret, `${identity.kind}: key does not hold the credential`)
    t.notMatch(shortKey(key), secret)
    t.equal(shortKey(key).length, 8)
  }
})

t.test('keys tell identities apart and stay stable', async (t) => {
  const resolve = createIdentityResolver(undefined, [])
  const key = (headers: IncomingHttpHeaders): string => (resolve({ headers, remoteAddress: REMOTE }) as { key: string }).key
  t.equal(key({ cookie: 'JSESSIONID=A' }), key({ cookie: 'x=1; JSESSIONID=A' }), 'same session, same key')
  t.not(key({ cookie: 'JSESSIONID=A' }), key({ cookie: 'JSESSIONID=B' }))
  t.not(key({ authorization: basic('bob:pw1') }), key({ authorization: basic('bob:pw2') }), 'a different password is another identity')
  t.not(key({ authorization: 'Bearer same' }), key({ cookie: 'JSESSIONID=same' }), 'the kind is part of the key')
  t.not(credentialKey('basic', 'a:b'), credentialKey('basi', 'ca:b'), 'the kind and the value cannot run together')
})

t.test('one connection, many credentials: each request gets its own credential\'s key', async (t) => {
  const resolve = createIdentityResolver(undefined, [])
  const connection = {}
  const other = {}
  const key = (headers: IncomingHttpHeaders, on: object): string => (resolve({ headers, remoteAddress: REMOTE, connection: on }) as { key: string }).key
  const sequence: Array<[string, IncomingHttpHeaders, object, string]> = [
    ['a cookie', { cookie: 'JSESSIONID=A' }, connection, credentialKey('cookie', 'A')],
    ['the same cookie again', { cookie: 'x=1; JSESSIONID=A' }, connection, credentialKey('cookie', 'A')],
    ['another cookie on the same connection', { cookie: 'JSESSIONID=B' }, connection, credentialKey('cookie', 'B')],
    ['the first cookie back', { cookie: 'JSESSIONID=A' }, connection, credentialKey('cookie', 'A')],
    ['a PAT equal to the cookie value', { authorization: 'Bearer A' }, connection, credentialKey('pat', 'A')],
    ['the cookie right after it', { cookie: 'JSESSIONID=A' }, connection, credentialKey('cookie', 'A')],
    ['Basic', { authorization: basic('bob:pw1') }, connection, credentialKey('basic', 'bob:pw1')],
    ['Basic, another password', { authorization: basic('bob:pw2') }, connection, credentialKey('basic', 'bob:pw2')],
    ['another connection, its own cookie', { cookie: 'JSESSIONID=C' }, other, credentialKey('cookie', 'C')],
    ['the first connection is not confused by it', { authorization: basic('bob:pw2') }, connection, credentialKey('basic', 'bob:pw2')]
  ]
  for (const [name, headers, on, expected] of sequence) t.equal(key(headers, on), expected, name)
  t.equal((resolve({ headers: { cookie: 'JSESSIONID=D' }, remoteAddress: REMOTE }) as { key: string }).key, credentialKey('cookie', 'D'), 'without a connection the key is hashed as ever')
})

t.test('isLoopbackAddress', async (t) => {
  const cases: Array<[string | undefined, boolean]> = [
    ['127.0.0.1', true], ['127.255.255.254', true], ['::1', true], ['::ffff:127.0.0.1', true],
    [undefined, false], ['', false], ['10.0.0.1', false], ['::ffff:10.0.0.1', false], ['::', false], ['0.0.0.0', false],
    ['128.0.0.1', false], ['fe80::1', false]
  ]
  for (const [address, expected] of cases) t.equal(isLoopbackAddress(address), expected, String(address))
})

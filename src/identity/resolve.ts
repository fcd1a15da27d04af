import type { IncomingHttpHeaders } from 'node:http'
import type { ServiceCredentials } from '../config.js'
import { ProxyError } from '../errors.js'
import { isRawJwt } from '../tokens/jwt.js'
import { sessionIdIn } from '../tokens/session.js'
import { ServiceAccess } from './access.js'
import { credentialKey } from './hash.js'
import type { Identity } from './types.js'

export interface IdentityRequest {
  headers: IncomingHttpHeaders
  /** The TCP peer's address. */
  remoteAddress: string | undefined
  /**
   * The connection the request came on (any object that lives as long as it), so a keep-alive
   * caller presenting the same Jira session again is not hashed again.
   */
  connection?: object
}

type Resolver = (req: IdentityRequest, memos: WeakMap<object, KeyMemo>) => Identity | undefined

const PASSTHROUGH: Identity = { kind: 'passthrough' }
const NONE: Identity = { kind: 'none', serviceRefused: false }
const REFUSED: Identity = { kind: 'none', serviceRefused: true }

/** Rule 1: a raw BigPicture JWT or an `APIToken …` goes through as the caller sent it. */
const bigPictureToken: Resolver = ({ headers }) => {
  const auth = headers.authorization
  if (auth === undefined) return undefined
  return auth.startsWith('APIToken ') || isRawJwt(auth) ? PASSTHROUGH : undefined
}

/**
 * The last Jira session a connection presented and its key. A keep-alive client sends the same
 * cookie on every request, and hashing it was the largest cost of resolving an identity. Held only
 * as long as the connection (a WeakMap entry of its socket), never in the identity cache, which
 * sees keys alone. Passwords and personal access tokens are not remembered here: the proxy keeps
 * them no longer than the request that carries them, and hashes them each time.
 */
interface KeyMemo {
  sessionId: string
  key: string
}

/**
 * Identities whose cache key is hashed only when something asks for it: a plain Jira request of a
 * cookie caller without an access log never needs it. A cookie's is hashed at most once per
 * connection and session.
 */
class CookieIdentity {
  readonly kind = 'cookie'
  #key: string | undefined
  readonly #sessionId: string
  readonly #memo: KeyMemo | undefined
  constructor (readonly cookies: string, sessionId: string, memo: KeyMemo | undefined) {
    this.#sessionId = sessionId
    this.#memo = memo
  }

  get key (): string {
    if (this.#key !== undefined) return this.#key
    const memo = this.#memo
    if (memo !== undefined && memo.sessionId === this.#sessionId) return (this.#key = memo.key)
    const key = credentialKey('cookie', this.#sessionId)
    if (memo !== undefined) {
      // A copy of its own: the id is cut from the Cookie header and would keep all of it alive
      // (other cookies included) for as long as the connection. Session ids are printable ASCII
      // (session.ts), so Latin-1 gives them back exactly.
      memo.sessionId = Buffer.from(this.#sessionId, 'latin1').toString('latin1')
      memo.key = key
    }
    return (this.#key = key)
  }
}

class PasswordIdentity {
  readonly kind = 'password'
  #key: string | undefined
  readonly #decoded: string
  constructor (readonly username: string, readonly password: string, decoded: string) {
    this.#decoded = decoded
  }

  get key (): string { return (this.#key ??= credentialKey('basic', this.#decoded)) }
}

class PatIdentity {
  readonly kind = 'pat'
  #key: string | undefined
  constructor (readonly token: string) {}
  get key (): string { return (this.#key ??= credentialKey('pat', this.token)) }
}

/** The connection's memo, made when a cookie caller first needs one. */
function memoOf (memos: WeakMap<object, KeyMemo>, connection: object | undefined): KeyMemo | undefined {
  if (connection === undefined) return undefined
  let memo = memos.get(connection)
  if (memo === undefined) {
    memo = { sessionId: '', key: '' }
    memos.set(connection, memo)
  }
  return memo
}

/** Rule 2: the caller's own Jira session. */
const sessionCookie: Resolver = ({ headers, connection }, memos) => {
  const cookies = headers.cookie
  const sessionId = sessionIdIn(cookies)
  return sessionId === undefined ? undefined : new CookieIdentity(cookies as string, sessionId, memoOf(memos, connection))
}

/** Rule 3: Basic credentials or a personal access token. */
const credentials: Resolver = ({ headers }) => {
  const auth = headers.authorization
  if (auth === undefined) return undefined
  const space = auth.indexOf(' ')
  const scheme = auth.slice(0, space).toLowerCase()
  const value = auth.slice(space + 1).trim()
  if (space < 0 || value === '') return undefined
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon <= 0) return undefined
    return new PasswordIdentity(decoded.slice(0, colon), decoded.slice(colon + 1), decoded)
  }
  if (scheme === 'bearer') return new PatIdentity(value)
  return undefined
}

/**
 * Builds the identity chain, first match wins. The service identity is decided
 * last: a loopback caller or one presenting a valid `X-Proxy-Key` may use it; a wrong key is
 * refused even from loopback (it throws), so a misconfigured client learns about it. Given a
 * `ServiceAccess`, it reads the keys and credentials from it on every request (SIGHUP rotates them).
 */
export function createIdentityResolver (service: ServiceAccess | ServiceCredentials | undefined, apiKeys: string[] = []): (req: IdentityRequest) => Identity {
  const access = service instanceof ServiceAccess ? service : new ServiceAccess(service, apiKeys)
  const chain: Resolver[] = [bigPictureToken, sessionCookie, credentials]
  const memos = new WeakMap<object, KeyMemo>()

  return function resolveIdentity (req) {
    for (const resolver of chain) {
      const identity = resolver(req, memos)
      if (identity !== undefined) return identity
    }
    // Credentials the chain does not understand (another scheme, a malformed Basic) are still the
    // caller's: rule 5 forwards them as they are, never mixed with the service account's session.
    if (req.headers.authorization !== undefined && req.headers.authorization.trim() !== '') return NONE
    const presented = req.headers['x-proxy-key']
    if (presented !== undefined) {
      if (!access.keyMatches(presented)) {
        throw new ProxyError('SERVICE_IDENTITY_FORBIDDEN', 'The X-Proxy-Key presented is not valid.')
      }
      return access.identity ?? NONE
    }
    const serviceIdentity = access.identity
    if (serviceIdentity === undefined) return NONE
    return isLoopbackAddress(req.remoteAddress) ? serviceIdentity : REFUSED
  }
}

export function isLoopbackAddress (address: string | undefined): boolean {
  if (address === undefined) return false
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

import type { IncomingHttpHeaders } from 'node:http'
import type { ServiceCredentials } from '../config.js'
import { ProxyError } from '../errors.js'
import { isRawJwt } from '../tokens/jwt.js'
import { sessionIdIn } from '../tokens/session.js'
import { ServiceAccess } from './access.js'
import { credentialKey, keyPepper } from './hash.js'
import { SessionKeys } from './session-keys.js'
import type { Identity } from './types.js'

export interface IdentityRequest {
  headers: IncomingHttpHeaders
  /** The TCP peer's address. */
  remoteAddress: string | undefined
}

type Resolver = (req: IdentityRequest, keys: SessionKeys, pepper: string) => Identity | undefined

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
 * Identities whose cache key is hashed only when something asks for it: a plain Jira request of a
 * cookie caller without an access log never needs it. A cookie's comes from the process-wide
 * memo of recent sessions.
 */
class CookieIdentity {
  readonly kind = 'cookie'
  #key: string | undefined
  readonly #sessionId: string
  readonly #keys: SessionKeys
  constructor (readonly cookies: string, sessionId: string, keys: SessionKeys) {
    this.#sessionId = sessionId
    this.#keys = keys
  }

  get key (): string { return (this.#key ??= this.#keys.keyOf(this.#sessionId)) }
}

class PasswordIdentity {
  readonly kind = 'password'
  #key: string | undefined
  readonly #decoded: string
  readonly #pepper: string
  constructor (readonly username: string, readonly password: string, decoded: string, pepper: string) {
    this.#decoded = decoded
    this.#pepper = pepper
  }

  get key (): string { return (this.#key ??= credentialKey('basic', this.#decoded, this.#pepper)) }
}

class PatIdentity {
  readonly kind = 'pat'
  #key: string | undefined
  readonly #pepper: string
  constructor (readonly token: string, pepper: string) {
    this.#pepper = pepper
  }

  get key (): string { return (this.#key ??= credentialKey('pat', this.token, this.#pepper)) }
}

/** Rule 2: the caller's own Jira session. */
const sessionCookie: Resolver = ({ headers }, keys) => {
  const cookies = headers.cookie
  const sessionId = sessionIdIn(cookies)
  return sessionId === undefined ? undefined : new CookieIdentity(cookies as string, sessionId, keys)
}

/** Rule 3: Basic credentials or a personal access token. */
const credentials: Resolver = ({ headers }, _keys, pepper) => {
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
    return new PasswordIdentity(decoded.slice(0, colon), decoded.slice(colon + 1), decoded, pepper)
  }
  if (scheme === 'bearer') return new PatIdentity(value, pepper)
  return undefined
}

/**
 * Builds the identity chain, first match wins. The service identity is decided
 * last: a loopback caller or one presenting a valid `X-Proxy-Key` may use it; a wrong key is
 * refused even from loopback (it throws), so a misconfigured client learns about it. Given a
 * `ServiceAccess`, it reads the keys and credentials from it on every request (SIGHUP rotates them).
 * Keys are hashed with `pepper` (hash.ts: this process's own unless replicas share a store).
 */
export function createIdentityResolver (service: ServiceAccess | ServiceCredentials | undefined, apiKeys: string[] = [], pepper = keyPepper()): (req: IdentityRequest) => Identity {
  const access = service instanceof ServiceAccess ? service : new ServiceAccess(service, apiKeys)
  const chain: Resolver[] = [bigPictureToken, sessionCookie, credentials]
  const keys = new SessionKeys(undefined, (id) => credentialKey('cookie', id, pepper))

  return function resolveIdentity (req) {
    for (const resolver of chain) {
      const identity = resolver(req, keys, pepper)
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

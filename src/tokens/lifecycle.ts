import { LRUCache } from 'lru-cache'
import type { Logger } from 'pino'
import { ProxyError } from '../errors.js'
import { shortKey } from '../identity/hash.js'
import type { CredentialIdentity, TokenIdentity } from '../identity/types.js'
import type { Metrics } from '../ops/metrics.js'
import type { AuthClient, IssuedTokens } from './auth-client.js'
import { localExpiry } from './clock.js'
import { readJwtExpiry } from './jwt.js'
import { FirstContactLimiter } from './first-contact.js'
import type { LoginAttempt, LoginGuard } from './login-guard.js'
import type { AppTokens, IdentityTokens } from './store.js'

/** What happened while serving one request, for its access-log line. */
export interface Trace {
  refreshed: boolean
  loggedIn: boolean
  retried: boolean
  /** The caller's address: first contacts are limited per address. */
  client?: string | undefined
}

export interface TokenManagerOptions {
  client: AuthClient
  guard: LoginGuard
  metrics: Metrics
  /** Lifecycle events (login, auth, refresh, backoff) with their reasons; never a credential. */
  log: Logger
  apps: string[]
  refreshSkewMs: number
  /** First contacts (auth calls for unknown cookies, logins of credentials not known good): per second, and burst. */
  newSessionRate?: { perSecond: number, burst: number }
}

/** Why a refresh flies. */
interface Ask {
  /** BigPicture refused a token: no falling back to a cached one if the refresh fails. */
  rejected: boolean
  /** Straight to `system/auth`: a token for a body sent once. */
  viaAuth: boolean
}

/** A caller's dead Jira session is not asked about again for this long (junk cookies stay cheap). */
const DEAD_SESSION_MS = 30_000
/** When a token carries no readable `exp`, assume this much life and let a 401 correct us. */
const UNKNOWN_LIFETIME_MS = 60_000

/**
 * The token lifecycle of SPEC.md: fetch on first use, refresh with `reauth` before `exp` (minus the
 * skew, corrected for Jira's clock), fall back to a fresh `auth`, log in again when the proxy's own
 * session died. One refresh per identity and app is ever in flight; everyone else waits for it.
 */
export class TokenManager {
  readonly #client: AuthClient
  readonly #guard: LoginGuard
  readonly #metrics: Metrics
  readonly #log: Logger
  readonly #apps: string[]
  readonly #skew: number
  /** Wall-clock time, as the token slots keep theirs (store.ts). */
  readonly #now = Date.now
  /** Callers' cookies Jira refused lately, by key: kept apart from the identity cache, so dead ones take no room there. */
  readonly #dead = new LRUCache<string, true>({ max: 10_000, ttl: DEAD_SESSION_MS })
  /** Credentials never seen before cost Jira a call each: bounded so junk cannot flood it. */
  readonly #firstContacts: FirstContactLimiter
  /**
   * Orders refreshes and refusals: a step is taken when a refresh starts and when a refusal is
   * first heard of. A token fetched by a refresh that started after a refusal was heard of was
   * issued after whatever caused it.
   */
  #seq = 0

  constructor (options: TokenManagerOptions) {
    this.#client = options.client
    this.#guard = options.guard
    this.#metrics = options.metrics
    this.#log = options.log
    this.#apps = options.apps
    this.#skew = options.refreshSkewMs
    const rate = options.newSessionRate ?? { perSecond: 50, burst: 200 }
    this.#firstContacts = new FirstContactLimiter(rate.perSecond, rate.burst, this.#now)
  }

  /**
   * The cached token when it is fresh enough to send now, else `undefined`. Synchronous: the hot
   * path allocates nothing.
   */
  current (entry: IdentityTokens, app: number): string | undefined {
    const t = entry.app(app)
    if (t === undefined || this.#now() >= t.refreshAt) return undefined
    return t.authentication
  }

  /**
   * A usable token, refreshing if needed. `failed` is a token too close to expiry (a concurrent
   * request may have refreshed it already: then that one is used) or, with `rejected`, one
   * BigPicture just refused (see `#replace`). Resolves `undefined` when the caller's own Jira
   * session is dead (nothing the proxy can do; Jira's 401 should reach the caller).
   */
  refresh (identity: TokenIdentity, entry: IdentityTokens, app: number, failed: string | undefined, trace: Trace, rejected = false): Promise<string | undefined> {
    const t = entry.slot(app)
    trace.refreshed = true
    if (rejected) return this.#replace(identity, entry, app, t, failed, trace)
    if (t.flight !== undefined) {
      this.#metrics.coalesced.inc()
      return t.flight
    }
    // Someone refreshed while we were deciding to: use theirs.
    if (t.authentication !== undefined && t.authentication !== failed && this.#now() < t.refreshAt) return Promise.resolve(t.authentication)
    return this.#fly(identity, entry, app, t, { rejected: false, viaAuth: false }, trace)
  }

  /**
   * BigPicture refused `failed`. What killed it (a revocation, a dead session) happened before we
   * first heard of the refusal, so only a token fetched by a refresh that started after that moment
   * is sure to outlive it; one started earlier (near expiry, for an upload) may hand back a token
   * issued just before the revocation, and the one replay must not be spent on it.
   */
  async #replace (identity: TokenIdentity, entry: IdentityTokens, app: number, t: AppTokens, failed: string | undefined, trace: Trace): Promise<string | undefined> {
    // The slot remembers its last refusal, so a storm of 401s for one token is one refusal.
    let heard = t.refusedSeq
    if (failed === undefined || failed !== t.refusedToken) {
      heard = ++this.#seq
      t.refused(failed, heard)
    }
    // Requests arriving from now on wait for the successor instead of sending a dead token.
    if (failed !== undefined && t.authentication === failed) t.refreshAt = 0
    for (;;) {
      const current = t.authentication
      if (current !== undefined && current !== failed && t.issuedSeq > heard && this.#now() < t.refreshAt) return current
      if (t.flight === undefined) return await this.#fly(identity, entry, app, t, { rejected: true, viaAuth: false }, trace)
      if (t.flightSeq > heard) {
        this.#metrics.coalesced.inc()
        return await t.flight
      }
      // Let the earlier refresh land (its failure is ours too), then look again.
      await t.flight
    }
  }

  #fly (identity: TokenIdentity, entry: IdentityTokens, app: number, t: AppTokens, ask: Ask, trace: Trace): Promise<string | undefined> {
    const seq = ++this.#seq
    const flight: Promise<string | undefined> = this.#acquire(identity, entry, app, t, ask, seq, trace)
      .finally(() => t.endFlight(flight))
    t.startFlight(flight, seq)
    return flight
  }

  /**
   * For a body that can be sent only once: a token BigPicture issues right now through
   * `system/auth`, which also proves the Jira session is alive (logging in again if it is not), so
   * neither expiry, revocation nor a dead session can make that single attempt fail. Costs one
   * auth call per large upload, small next to the upload. `undefined`: the caller's own session
   * is dead, and Jira's 401 is the answer.
   */
  async fresh (identity: TokenIdentity, entry: IdentityTokens, app: number, trace: Trace): Promise<string | undefined> {
    const t = entry.slot(app)
    // Let refreshes already under way land first (one at a time per slot), then ask anew.
    while (t.flight !== undefined) await t.flight.catch(() => undefined)
    trace.refreshed = true
    return this.#fly(identity, entry, app, t, { rejected: true, viaAuth: true }, trace)
  }

  /** The proxy's Jira session for an identity it logs in for, logging in if there is none. */
  async session (identity: CredentialIdentity, entry: IdentityTokens, trace: Trace): Promise<string> {
    return await this.#session(identity, entry, trace)
  }

  /**
   * Jira no longer knows `sessionId`: forget it and every token issued on it, unless a concurrent
   * request already replaced it.
   */
  sessionDied (entry: IdentityTokens, sessionId: string): void {
    if (entry.sessionId !== sessionId) return
    entry.sessionId = undefined
    entry.someApp((t) => {
      t.authentication = undefined
      t.refresh = undefined
      return false
    })
  }

  async #acquire (identity: TokenIdentity, entry: IdentityTokens, app: number, t: AppTokens, ask: Ask, seq: number, trace: Trace): Promise<string | undefined> {
    const { rejected, viaAuth } = ask
    try {
      const refresh = viaAuth || this.#now() >= t.refreshExpiresAt ? undefined : t.refresh
      if (refresh !== undefined) {
        try {
          const r = await this.#client.reauth(this.#apps[app] as string, refresh)
          if (r.ok) {
            this.#log.debug({ identity: label(identity), app: this.#apps[app] }, 'token refreshed with reauth')
            return this.#store(t, r.tokens, seq)
          }
          this.#log.info({ identity: label(identity), app: this.#apps[app] }, 'refresh token rejected; asking system/auth')
          t.refresh = undefined
        } catch (err) {
          // A broken reauth answer may still leave auth working; an unreachable Jira will not.
          if ((err as ProxyError).code !== 'BIGPICTURE_AUTH_FAILED') throw err
          this.#log.warn({ identity: label(identity), app: this.#apps[app], reason: (err as Error).message }, 'reauth failed; asking system/auth')
        }
      }
      return await this.#authenticate(identity, entry, app, t, seq, trace)
    } catch (err) {
      // Login refusals were logged where they happened; the rest is news.
      const code = (err as ProxyError).code
      if (code !== 'LOGIN_FAILED' && code !== 'LOGIN_BACKOFF' && code !== 'JIRA_CAPTCHA_REQUIRED') {
        this.#log.warn({ identity: label(identity), app: this.#apps[app], code, reason: (err as Error).message }, 'could not get a BigPicture token')
      }
      // Never a stale token forever, but a still-valid one beats an error while Jira hiccups (a
      // refresh ahead of expiry failed); not for a refusal, though, nor a token fetched before the
      // last refusal was heard of: whatever caused it may have killed that one too.
      if (!rejected && t.authentication !== undefined && t.issuedSeq > t.refusedSeq && this.#now() < t.authExpiresAt) return t.authentication
      throw err
    }
  }

  async #authenticate (identity: TokenIdentity, entry: IdentityTokens, app: number, t: AppTokens, seq: number, trace: Trace): Promise<string | undefined> {
    const name = this.#apps[app] as string
    if (identity.kind === 'cookie') {
      if (this.#dead.has(identity.key)) return undefined
      if (!entry.someApp((a) => a.hasRefresh)) this.#firstContacts.admit(trace.client)
      const r = await this.#client.auth(name, identity.sessionId)
      if (r.ok) {
        this.#log.debug({ identity: label(identity), app: name }, 'token issued by system/auth')
        return this.#store(t, r.tokens, seq)
      }
      this.#log.info({ identity: label(identity), app: name }, "the caller's Jira session is not valid; Jira's 401 goes back to it")
      this.#dead.set(identity.key, true)
      t.authentication = undefined
      t.refresh = undefined
      return undefined
    }
    let session = await this.#session(identity, entry, trace)
    let r = await this.#client.auth(name, session)
    // Refused: is the session dead in Jira (expired, Jira restarted, killed right after our login)
    // or does BigPicture refuse a live one? Only the first is fixed by logging in again, once.
    if (!r.ok && !(await this.#client.sessionAlive(session))) {
      this.#log.info({ identity: label(identity), app: name }, 'the Jira session expired; logging in again')
      this.sessionDied(entry, session)
      session = await this.#session(identity, entry, trace)
      r = await this.#client.auth(name, session)
    }
    if (!r.ok) throw new ProxyError('BIGPICTURE_AUTH_FAILED', 'BigPicture refused a live Jira session.')
    this.#log.debug({ identity: label(identity), app: name }, 'token issued by system/auth')
    return this.#store(t, r.tokens, seq)
  }

  async #session (identity: CredentialIdentity, entry: IdentityTokens, trace: Trace): Promise<string> {
    if (entry.sessionId !== undefined) return entry.sessionId
    if (entry.sessionFlight !== undefined) {
      this.#metrics.coalesced.inc()
      return await entry.sessionFlight
    }
    trace.loggedIn = true
    const flight = this.#login(identity, trace).then((id) => {
      entry.sessionId = id
      return id
    }).finally(() => { entry.sessionFlight = undefined })
    entry.sessionFlight = flight
    return await flight
  }

  async #login (identity: CredentialIdentity, trace: Trace): Promise<string> {
    const attempt = loginAttempt(identity)
    const { name } = attempt
    try {
      this.#guard.check(attempt)
      if (!this.#guard.isKnownGood(attempt)) this.#firstContacts.admit(trace.client)
    } catch (err) {
      this.#log.debug({ identity: label(identity), code: (err as ProxyError).code }, 'login not attempted')
      throw err
    }
    const creds = identity.kind === 'service' ? identity.credentials : identity.kind === 'password' ? { kind: 'password' as const, username: identity.username, password: identity.password } : { kind: 'pat' as const, token: identity.token }
    const r = creds.kind === 'password'
      ? await this.#client.loginWithPassword(creds.username, creds.password)
      : await this.#client.loginWithToken(creds.token)
    if (r.ok) {
      this.#guard.succeeded(attempt)
      this.#log.info({ identity: label(identity) }, 'logged in to Jira')
      return r.sessionId
    }
    if (r.reason === 'captcha') {
      this.#log.error({ identity: label(identity) }, 'Jira demands a CAPTCHA for this account; no more logins until someone signs in through a browser and the proxy gets SIGHUP')
      throw this.#guard.captcha(name, r.loginUrl)
    }
    if (r.reason === 'denied') {
      // Not a verdict on the password (a 404 from a wrong JIRA_URL, a proxy page): counting it
      // toward the backoff would hold a correct password for an hour.
      this.#log.warn({ identity: label(identity), status: r.status }, 'Jira did not answer the login like a Jira login')
      this.#guard.pause(name, 5000)
      throw new ProxyError('LOGIN_FAILED', `Jira answered the login with HTTP ${r.status}; check JIRA_URL and that REST logins are allowed.`)
    }
    const err = this.#guard.failed(attempt)
    this.#log.warn({ identity: label(identity), status: r.status, reason: r.reason, retryAfterSeconds: Number(err.headers?.['retry-after']) }, 'Jira rejected the login; backing off')
    throw err
  }

  #store (t: AppTokens, issued: IssuedTokens, seq: number): string {
    const now = this.#now()
    t.issuedSeq = seq
    const exp = readJwtExpiry(issued.authentication)
    t.setTokens(issued.authentication, issued.refresh)
    const expiresAt = exp === undefined ? now + UNKNOWN_LIFETIME_MS : localExpiry(exp, issued.offsetMs)
    t.authExpiresAt = expiresAt
    // Refresh `skew` before expiry, but never sooner than half-way through a short-lived token.
    // A refresh that started before the last refusal was heard of may bring a token that refusal's
    // cause already killed: it goes to whoever waited for it, and the next request refreshes.
    t.refreshAt = seq < t.refusedSeq ? 0 : expiresAt - Math.min(this.#skew, Math.max(0, (expiresAt - now) / 2))
    if (issued.refresh !== undefined) {
      const rexp = readJwtExpiry(issued.refresh)
      t.refreshExpiresAt = rexp === undefined ? now + UNKNOWN_LIFETIME_MS : localExpiry(rexp, issued.offsetMs)
    }
    return issued.authentication
  }
}

/**
 * Failures are counted per Jira account (user name, case-insensitive), so different wrong
 * passwords for one account share one backoff; a PAT is its own account key. The configured
 * service credential is trusted: callers' wrong guesses for its name do not hold it.
 */
function loginAttempt (identity: CredentialIdentity): LoginAttempt {
  if (identity.kind === 'password') return { name: `user:${identity.username.toLowerCase()}`, credential: identity.key, trusted: false }
  if (identity.kind === 'pat') return { name: `pat:${identity.key}`, credential: identity.key, trusted: false }
  const c = identity.credentials
  return c.kind === 'password'
    ? { name: `user:${c.username.toLowerCase()}`, credential: 'service', trusted: true }
    : { name: 'pat:service', credential: 'service', trusted: true }
}

/** How an identity appears in logs: its kind and a short hash, never the credential. */
export function label (identity: TokenIdentity): string {
  return `${identity.kind}:${shortKey(identity.key)}`
}

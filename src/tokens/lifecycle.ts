import type { Logger } from 'pino'
import { ProxyError } from '../errors.js'
import { label } from '../identity/hash.js'
import { type Identity, type TokenIdentity, hasCredentials } from '../identity/types.js'
import type { Metrics } from '../ops/metrics.js'
import { type SharedStore, type TokenPairRecord, tokenDigest, tokenRecordKey } from '../store/ports.js'
import { flyShared } from '../store/shared-flight.js'
import type { AuthClient, IssuedTokens } from './auth-client.js'
import { localExpiry } from './clock.js'
import { readJwtExpiry } from './jwt.js'
import { FirstContactLimiter } from './first-contact.js'
import { type JiraSession, type SessionCookies, callerCookies, sessionIdIn } from './session.js'
import { type SessionLoss, SessionManager } from './sessions.js'
import type { LoginRules } from './shared-guard.js'
import type { AppTokens, IdentityTokens, TokenStore } from './store.js'

/** What happened while serving one request, for its access-log line. */
export interface Trace {
  refreshed: boolean
  loggedIn: boolean
  retried: boolean
  /** The caller's address: first contacts are limited per address. */
  client?: string | undefined
  /** When the request arrived (wall clock, ms): a session Jira refused for it died no earlier. */
  since?: number
}

/**
 * What the proxy puts on one request to Jira for an identity. Made fresh for each request; the
 * route hands it back with the answer (`absorb`, `refused`) so the answer is put down to what was
 * sent.
 */
export interface Outgoing {
  /** The BigPicture token for `Authorization`; `undefined` keeps the caller's header. */
  authorization: string | undefined
  /**
   * The `Cookie` header of the identity's Jira session (identities the proxy logs in for), merged
   * over the caller's own cookies; `undefined`: the caller's cookies go as sent.
   */
  cookie: string | undefined
  /** The session `cookie` came from. */
  session: JiraSession | undefined
}

export interface TokenManagerOptions {
  client: AuthClient
  store: TokenStore
  guard: LoginRules
  metrics: Metrics
  /** Lifecycle events (login, auth, refresh, backoff) with their reasons; never a credential. */
  log: Logger
  apps: string[]
  refreshSkewMs: number
  /** First contacts (auth calls for unknown cookies, logins of credentials not known good): per second, and burst. */
  newSessionRate?: { perSecond: number, burst: number }
  /**
   * What replicas share (`STORE_URL`), and how long one replica's token call may hold the others
   * back at most (a token call's timeout). Without it, everything stays in this process.
   */
  shared?: { store: SharedStore, lockTtlMs: number }
}

/** Why a refresh flies. */
interface Ask {
  /** BigPicture refused a token: no falling back to a cached one if the refresh fails. */
  rejected: boolean
  /** Straight to `system/auth`: a token for a body sent once. */
  viaAuth: boolean
}

/** Sessions `system/auth` is asked with at most for one token: the first, and two after it was found dead. */
const SESSION_ATTEMPTS = 3

/** When a token carries no readable `exp`, assume this much life and let a 401 correct us. */
const UNKNOWN_LIFETIME_MS = 60_000

/**
 * The token lifecycle: fetch on first use, refresh with `reauth` before `exp` (minus the
 * skew, corrected for Jira's clock), fall back to a fresh `auth`, log in again (through the
 * session manager) when the proxy's own session died. One refresh per identity and app is ever in
 * flight; everyone else waits for it.
 *
 * It is the one door of `proxy/`: asked by identity what to send (`ready`, `prepare`, `forJira`),
 * told what came back (`absorb`, `refused`, `jiraRefused`); the records stay behind it.
 */
export class TokenManager {
  readonly #client: AuthClient
  readonly #store: TokenStore
  readonly #shared: { store: SharedStore, lockTtlMs: number } | undefined
  readonly #sessions: SessionManager
  readonly #metrics: Metrics
  readonly #log: Logger
  readonly #apps: string[]
  readonly #skew: number
  /** Wall-clock time, as the token slots keep theirs (store.ts). */
  readonly #now = Date.now
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
    this.#store = options.store
    this.#shared = options.shared
    this.#metrics = options.metrics
    this.#log = options.log
    this.#apps = options.apps
    this.#skew = options.refreshSkewMs
    const rate = options.newSessionRate ?? { perSecond: 50, burst: 200 }
    this.#firstContacts = new FirstContactLimiter(rate.perSecond, rate.burst, this.#now)
    this.#sessions = new SessionManager({ client: options.client, guard: options.guard, metrics: options.metrics, log: options.log, shared: options.shared, firstContacts: this.#firstContacts })
  }

  /**
   * The hot path of a BigPicture request: what to send when the token is fresh and the session is
   * there, else `undefined` (then `prepare`). Synchronous; allocates the answer alone.
   */
  ready (identity: TokenIdentity, app: number): Outgoing | undefined {
    const entry = this.#store.get(identity.key)
    const token = this.#current(entry, app)
    if (token === undefined) return undefined
    if (identity.kind === 'cookie') return { authorization: token, cookie: undefined, session: undefined }
    const session = this.#sessions.live(entry)
    return session === undefined ? undefined : { authorization: token, cookie: session.cookieHeader, session }
  }

  /**
   * What to send with a BigPicture request, fetching what is missing: a token (for a body sent
   * once, `oneShot`, one BigPicture has just issued) and the identity's session (logging in).
   * `authorization` is `undefined` when the caller's own session is dead: Jira's 401 answers it.
   */
  async prepare (identity: TokenIdentity, app: number, trace: Trace, oneShot: boolean): Promise<Outgoing> {
    const entry = this.#store.get(identity.key)
    try {
      const token = oneShot
        ? await this.#fresh(identity, entry, app, trace)
        : this.#current(entry, app) ?? await this.#refresh(identity, entry, app, entry.app(app)?.authentication, trace)
      return await this.#outgoing(identity, entry, token, trace)
    } finally {
      // A first contact joins the cache once it holds something; a refused one takes no place there.
      this.#store.settle(identity.key, this.#sessions.loggingIn(identity.key))
    }
  }

  /**
   * BigPicture answered `sent` with 401 (`anonymous`: Jira did not know the session). Returns what
   * to send again, or `undefined` when nothing better is to be had (that 401 is the answer).
   */
  async refused (identity: TokenIdentity, app: number, sent: Outgoing, anonymous: boolean, trace: Trace): Promise<Outgoing | undefined> {
    const entry = this.#store.get(identity.key)
    try {
      if (anonymous && sent.session !== undefined) this.#sessionDied(entry, sent.session, sessionIdIn(sent.cookie), 'anonymous_answer', trace.since ?? this.#now())
      const fresh = await this.#refresh(identity, entry, app, sent.authorization, trace, true)
      if (fresh === undefined || fresh === sent.authorization) return undefined
      return await this.#outgoing(identity, entry, fresh, trace)
    } finally {
      // A caller's session Jira no longer knows leaves the cache.
      this.#store.settle(identity.key, this.#sessions.loggingIn(identity.key))
    }
  }

  /**
   * What to send with a plain Jira request: the session's cookies of an identity the proxy logs in
   * for (the service identity logs in for it; a Basic or PAT caller's credentials go along, and Jira
   * falls back to them, so none is made for it), nothing for the others.
   */
  forJira (identity: TokenIdentity, trace: Trace): Outgoing | Promise<Outgoing | undefined> | undefined {
    if (identity.kind === 'password' || identity.kind === 'pat') {
      const session = this.#store.peek(identity.key)?.session
      if (session !== undefined) return sending(undefined, session)
      return this.#sessions.credentialsSent(identity, trace.client).then(() => undefined)
    }
    if (identity.kind !== 'service') return undefined
    const entry = this.#store.get(identity.key)
    const live = this.#sessions.live(entry)
    if (live !== undefined) return sending(undefined, live)
    return this.#sessions.session(identity, entry, trace).then((session) => sending(undefined, session))
  }

  /**
   * Every cookie Jira's side set on an answer to a request of an identity the proxy logs in for
   * goes into its session (none reaches the caller); a caller's own cookies are its business.
   */
  absorb (identity: TokenIdentity, sent: Outgoing | undefined, setCookie: string | string[] | undefined): void {
    if (setCookie === undefined || !hasCredentials(identity)) return
    this.#sessions.absorb(this.#store.get(identity.key), sent?.session, setCookie)
    // A first contact joins the cache only if Jira opened a session for it: refusals take no place.
    this.#store.settle(identity.key, this.#sessions.loggingIn(identity.key))
  }

  /**
   * A plain Jira request of a Basic or PAT caller went without a session: Jira judged its
   * credentials, and the login guard learns the verdict (as for the proxy's own logins).
   */
  jiraJudged (identity: Identity, sent: Outgoing | undefined, status: number, headers: Record<string, string | string[] | undefined>): void {
    if (sent !== undefined || (identity.kind !== 'password' && identity.kind !== 'pat')) return
    this.#sessions.credentialsJudged(identity, status, headers).catch((err: unknown) => {
      this.#log.warn({ identity: label(identity), err }, "could not record Jira's verdict on a caller's credentials")
    })
  }

  /** A plain Jira request sent with the proxy's session was answered as anonymous: that session is gone. */
  jiraRefused (identity: TokenIdentity, sent: Outgoing, trace: Trace): void {
    if (sent.session === undefined) return
    this.#sessionDied(this.#store.get(identity.key), sent.session, sessionIdIn(sent.cookie), 'anonymous_answer', trace.since ?? this.#now())
  }

  async #outgoing (identity: TokenIdentity, entry: IdentityTokens, token: string | undefined, trace: Trace): Promise<Outgoing> {
    if (!hasCredentials(identity)) return { authorization: token, cookie: undefined, session: undefined }
    return sending(token, await this.#sessions.session(identity, entry, trace))
  }

  /** The cookies a token call carries: the proxy's session for its identities, the caller's own otherwise. */
  #cookiesFor (identity: TokenIdentity, entry: IdentityTokens): SessionCookies {
    return identity.kind === 'cookie' ? callerCookies(identity.cookies) : entry.session ?? callerCookies('')
  }

  /** The cached token when it is fresh enough to send now, else `undefined`. */
  #current (entry: IdentityTokens, app: number): string | undefined {
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
  #refresh (identity: TokenIdentity, entry: IdentityTokens, app: number, failed: string | undefined, trace: Trace, rejected = false): Promise<string | undefined> {
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
    const sentAt = trace.since ?? this.#now()
    if (failed === undefined || failed !== t.refusedToken) {
      heard = ++this.#seq
      t.refused(failed, heard, this.#now(), sentAt)
    } else {
      t.alsoRefused(sentAt)
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
  async #fresh (identity: TokenIdentity, entry: IdentityTokens, app: number, trace: Trace): Promise<string | undefined> {
    const t = entry.slot(app)
    // Let refreshes already under way land first (one at a time per slot), then ask anew.
    while (t.flight !== undefined) await t.flight.catch(() => undefined)
    trace.refreshed = true
    return this.#fly(identity, entry, app, t, { rejected: true, viaAuth: true }, trace)
  }

  /**
   * Jira no longer knows `session` (sent as `sentId`): forget it and every token issued on it,
   * unless a concurrent request already replaced it.
   */
  #sessionDied (entry: IdentityTokens, session: JiraSession, sentId: string | undefined, loss: SessionLoss, since: number): void {
    if (!this.#sessions.died(entry, session, sentId, loss, since)) return
    entry.someApp((t) => {
      t.authentication = undefined
      t.refresh = undefined
      return false
    })
  }

  async #acquire (identity: TokenIdentity, entry: IdentityTokens, app: number, t: AppTokens, ask: Ask, seq: number, trace: Trace): Promise<string | undefined> {
    const { rejected } = ask
    try {
      return this.#shared === undefined
        ? await this.#obtain(identity, entry, app, t, ask, seq, trace)
        : await this.#obtainShared(this.#shared, identity, entry, app, t, ask, seq, trace)
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

  /** A token from Jira: `reauth` with the refresh token while it lasts, else `system/auth`. */
  async #obtain (identity: TokenIdentity, entry: IdentityTokens, app: number, t: AppTokens, ask: Ask, seq: number, trace: Trace): Promise<string | undefined> {
    const refresh = ask.viaAuth || this.#now() >= t.refreshExpiresAt ? undefined : t.refresh
    if (refresh !== undefined) {
      try {
        const r = await this.#client.reauth(this.#apps[app] as string, refresh, this.#cookiesFor(identity, entry))
        if (r.ok) {
          this.#log.debug({ identity: label(identity), app: this.#apps[app] }, 'token refreshed with reauth')
          return this.#keep(t, r.tokens, seq)
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
  }

  /**
   * `#obtain` once across replicas. A pair in the store that is fresh and is not the one being
   * replaced (another replica refreshed it) is taken as it is, with no call to Jira; else one
   * replica at a time refreshes, from the newest refresh token any replica stored, and stores
   * the result over the generation it read, so none replaces a pair another already replaced.
   */
  async #obtainShared (shared: { store: SharedStore, lockTtlMs: number }, identity: TokenIdentity, entry: IdentityTokens, app: number, t: AppTokens, ask: Ask, seq: number, trace: Trace): Promise<string | undefined> {
    // After a refusal the slot may already hold nothing (a dead session clears it): the refused
    // token, possibly still in the store, is the one not to take back.
    const replacing = ask.rejected ? t.refusedToken ?? t.authentication : t.authentication
    // After a refusal, a pair another replica stored is taken if its refresh started after this
    // replica heard of the refusal; or if it answered a refusal of the same token (so it came after
    // that token's death) and started after the refused request arrived, as in a storm of 401s
    // spread over replicas. One started earlier may bring a token its cause killed.
    // The earliest such request counts, read when the store is looked at: the refusals of a
    // storm's other requests keep arriving while this replica waits for another's refresh.
    const heardAt = t.refusedAt
    const answers = ask.rejected && replacing !== undefined ? tokenDigest(replacing) : undefined
    const afterRefusal = (r: TokenPairRecord): boolean => {
      const requestedAt = r.requestedAt ?? 0
      return requestedAt > heardAt || (answers !== undefined && r.answers === answers && requestedAt > t.refusedSentAt)
    }
    const key = tokenRecordKey(identity.key, this.#apps[app] as string)
    const result = await flyShared<TokenPairRecord>({
      records: shared.store.tokens,
      locks: shared.store.locks,
      key,
      lockName: `token\n${key}`,
      lockTtlMs: shared.lockTtlMs,
      usable: (r) => !ask.viaAuth && r.value.authentication !== replacing && (!ask.rejected || afterRefusal(r.value)) && this.#now() < refreshMoment(r.value.authExpiresAt, r.value.issuedAt, this.#skew),
      produce: async (stored) => {
        const requestedAt = this.#now()
        if (stored !== undefined && stored.value.authentication !== replacing) this.#adopt(t, stored.value, seq)
        const token = await this.#obtain(identity, entry, app, t, ask, seq, trace)
        if (token === undefined) return undefined
        const now = this.#now()
        const record: TokenPairRecord = { authentication: token, refresh: t.refresh, authExpiresAt: t.authExpiresAt, refreshExpiresAt: t.hasRefresh ? t.refreshExpiresAt : 0, issuedAt: now, requestedAt, answers }
        return { value: record, ttlMs: Math.max(record.authExpiresAt, record.refreshExpiresAt) - now }
      }
    })
    if (result === undefined) return undefined
    if (!result.produced) {
      this.#log.debug({ identity: label(identity), app: this.#apps[app] }, 'token taken from the shared store')
      this.#adopt(t, result.value, seq)
    }
    return result.value.authentication
  }

  /** A pair another replica stored, kept here as if this replica's refresh had brought it. */
  #adopt (t: AppTokens, r: TokenPairRecord, seq: number): void {
    t.issuedSeq = seq
    t.setTokens(r.authentication, r.refresh)
    t.authExpiresAt = r.authExpiresAt
    t.refreshAt = seq < t.refusedSeq ? 0 : refreshMoment(r.authExpiresAt, r.issuedAt, this.#skew)
    if (r.refresh !== undefined) t.refreshExpiresAt = r.refreshExpiresAt
  }

  async #authenticate (identity: TokenIdentity, entry: IdentityTokens, app: number, t: AppTokens, seq: number, trace: Trace): Promise<string | undefined> {
    const name = this.#apps[app] as string
    if (identity.kind === 'cookie') {
      if (await this.#sessions.callerSessionDead(identity.key)) return undefined
      if (!entry.someApp((a) => a.hasRefresh)) this.#firstContacts.admit(trace.client)
      const r = await this.#client.auth(name, callerCookies(identity.cookies))
      if (r.ok) {
        this.#log.debug({ identity: label(identity), app: name }, 'token issued by system/auth')
        return this.#keep(t, r.tokens, seq)
      }
      this.#log.info({ identity: label(identity), app: name }, "the caller's Jira session is not valid; Jira's 401 goes back to it")
      await this.#sessions.markCallerSessionDead(identity.key)
      t.authentication = undefined
      t.refresh = undefined
      return undefined
    }
    // Refused: is the session dead in Jira (expired, Jira restarted, its cluster node gone, killed
    // right after our login) or does BigPicture refuse a live one? Only the first is fixed by
    // logging in again. A session replaced meanwhile (another request of this identity got a new
    // one from Jira or from the store) was not the one refused: it is simply asked about. The
    // second session may itself turn out dead (taken from the store as another replica's died
    // too), so it gets the same check once more.
    let session = await this.#sessions.session(identity, entry, trace)
    for (let attempt = 0; ; attempt++) {
      const sentId = session.id
      const asked = this.#now()
      const r = await this.#client.auth(name, session)
      if (r.ok) {
        this.#log.debug({ identity: label(identity), app: name }, 'token issued by system/auth')
        return this.#keep(t, r.tokens, seq)
      }
      if (attempt === SESSION_ATTEMPTS - 1) break
      const replaced = entry.session !== session || session.id !== sentId
      if (!replaced) {
        if (await this.#client.sessionAlive(session)) break
        this.#log.info({ identity: label(identity), app: name }, 'Jira no longer knows the session; logging in again')
        this.#sessionDied(entry, session, sentId, 'session_check', asked)
      }
      session = await this.#sessions.session(identity, entry, trace)
    }
    throw new ProxyError('BIGPICTURE_AUTH_FAILED', 'BigPicture refused a live Jira session.')
  }

  #keep (t: AppTokens, issued: IssuedTokens, seq: number): string {
    const now = this.#now()
    t.issuedSeq = seq
    const exp = readJwtExpiry(issued.authentication)
    t.setTokens(issued.authentication, issued.refresh)
    const expiresAt = exp === undefined ? now + UNKNOWN_LIFETIME_MS : localExpiry(exp, issued.offsetMs)
    t.authExpiresAt = expiresAt
    // A refresh that started before the last refusal was heard of may bring a token that refusal's
    // cause already killed: it goes to whoever waited for it, and the next request refreshes.
    t.refreshAt = seq < t.refusedSeq ? 0 : refreshMoment(expiresAt, now, this.#skew)
    if (issued.refresh !== undefined) {
      const rexp = readJwtExpiry(issued.refresh)
      t.refreshExpiresAt = rexp === undefined ? now + UNKNOWN_LIFETIME_MS : localExpiry(rexp, issued.offsetMs)
    }
    return issued.authentication
  }
}

/** When to refresh a token: `skew` before expiry, but never sooner than half-way through a short-lived one. */
function refreshMoment (expiresAt: number, issuedAt: number, skew: number): number {
  return expiresAt - Math.min(skew, Math.max(0, (expiresAt - issuedAt) / 2))
}

/** An `Outgoing` with the session's cookies as they are now. */
function sending (authorization: string | undefined, session: JiraSession): Outgoing {
  const cookie = session.cookieHeader
  return { authorization, cookie: cookie === '' ? undefined : cookie, session }
}

import type { Logger } from 'pino'
import { ProxyError } from '../errors.js'
import { label } from '../identity/hash.js'
import type { CredentialIdentity } from '../identity/types.js'
import type { Metrics } from '../ops/metrics.js'
import type { SerializedJar, SharedStore } from '../store/ports.js'
import { flyShared } from '../store/shared-flight.js'
import type { AuthClient } from './auth-client.js'
import { LRUCache } from 'lru-cache'
import type { FirstContactLimiter } from './first-contact.js'
import type { LoginAttempt } from './login-guard.js'
import { JiraSession, type SerializedJiraSession } from './session.js'
import type { LoginRules } from './shared-guard.js'
import type { IdentityTokens } from './store.js'

/** Where the proxy found out that Jira no longer knows one of its sessions. */
export type SessionLoss = 'anonymous_answer' | 'session_check'

export interface SessionManagerOptions {
  client: AuthClient
  guard: LoginRules
  metrics: Metrics
  /** Logins and their refusals, with reasons; never a credential or a cookie. */
  log: Logger
  /** What replicas share, and how long a replica's login may hold the others back at most. */
  shared?: { store: SharedStore, lockTtlMs: number }
  /** Logins of credentials not known to be good are first contacts. */
  firstContacts: FirstContactLimiter
}

/** A caller's dead Jira session is not asked about again for this long (junk cookies stay cheap). */
const DEAD_SESSION_MS = 30_000
/** A session's cookie jar is kept in the shared store this long after its login (Jira's idle timeout is hours). */
const SHARED_JAR_MS = 4 * 3_600_000

/**
 * The Jira sessions of the proxy's identities: its own (service identity, Basic, PAT), logged
 * in once per identity (single flight) and again, once, when Jira forgets them (expiry, restart, a
 * cluster node dying); and the dead-session marks of callers' own cookies. Records hold data only
 * (`IdentityTokens.session`); the logins in flight are kept here.
 */
export class SessionManager {
  readonly #client: AuthClient
  readonly #guard: LoginRules
  readonly #shared: { store: SharedStore, lockTtlMs: number } | undefined
  readonly #metrics: Metrics
  readonly #log: Logger
  /** The login in flight, by identity key. */
  readonly #logins = new Map<string, Promise<JiraSession>>()
  /** Why an identity's last session was lost, until the login that replaces it. */
  readonly #lost = new WeakMap<IdentityTokens, SessionLoss>()
  /** Callers' sessions Jira refused lately, by key: kept apart from the identity cache, so dead ones take no room there. */
  readonly #dead = new LRUCache<string, true>({ max: 10_000, ttl: DEAD_SESSION_MS })
  /** The id of the identity's last session Jira forgot: one another replica stored is no better. */
  readonly #deadIds = new WeakMap<IdentityTokens, string>()
  /**
   * Since when (wall clock, ms) the identity's last session may have been dead: the arrival of the
   * request Jira refused on it. Whatever killed it (an expiry of every session of the account) may
   * have killed a session another replica stored too, so only one whose login started later is taken.
   */
  readonly #deadSince = new WeakMap<IdentityTokens, number>()
  readonly #firstContacts: FirstContactLimiter

  constructor (options: SessionManagerOptions) {
    this.#client = options.client
    this.#guard = options.guard
    this.#shared = options.shared
    this.#metrics = options.metrics
    this.#log = options.log
    this.#firstContacts = options.firstContacts
  }

  /** The identity's session when Jira has given it one, else `undefined`. Synchronous. */
  live (entry: IdentityTokens): JiraSession | undefined {
    const session = entry.session
    return session !== undefined && session.id !== undefined ? session : undefined
  }

  /** The identity's session, logging in (once, however many ask) if it has none. */
  async session (identity: CredentialIdentity, entry: IdentityTokens, trace: { loggedIn: boolean, client?: string | undefined }): Promise<JiraSession> {
    const live = this.live(entry)
    if (live !== undefined) return live
    const key = identity.key
    const flying = this.#logins.get(key)
    if (flying !== undefined) {
      this.#metrics.coalesced.inc()
      return await flying
    }
    trace.loggedIn = true
    const flight = this.#login(identity, entry, trace.client).finally(() => {
      if (this.#logins.get(key) === flight) this.#logins.delete(key)
    })
    this.#logins.set(key, flight)
    return await flight
  }

  /** Whether a login for this identity is under way (its entry must not be dropped meanwhile). */
  loggingIn (key: string): boolean {
    return this.#logins.has(key)
  }

  /**
   * Jira no longer knows `session`, sent with session id `sentId`: forget it, unless a concurrent
   * request (or Jira itself) has already replaced it. Its other cookies (a balancer's) are kept for
   * the next login. `since`: when the request that found it dead arrived. Returns whether it was forgotten.
   */
  died (entry: IdentityTokens, session: JiraSession, sentId: string | undefined, loss: SessionLoss, since: number): boolean {
    if (entry.session !== session || sentId === undefined || session.id !== sentId) return false
    entry.session = session.withoutSession()
    this.#lost.set(entry, loss)
    this.#deadIds.set(entry, sentId)
    this.#deadSince.set(entry, since)
    return true
  }

  /**
   * The cookies an answer set for a proxy-made identity, sent with `sent` (`undefined`: it had no
   * session yet). An answer to a session that has since been replaced is not the identity's any more.
   */
  absorb (entry: IdentityTokens, sent: JiraSession | undefined, setCookie: string | string[] | undefined): void {
    if (setCookie === undefined || entry.session !== sent) return
    if (entry.session !== undefined) entry.session.absorb(setCookie)
    else entry.session = opened(setCookie)
  }

  /** Whether a caller's own session (by identity key) was found dead a moment ago, here or by another replica. */
  async callerSessionDead (key: string): Promise<boolean> {
    if (this.#dead.has(key)) return true
    if (this.#shared === undefined || await this.#shared.store.deadSessions.isDead(key) !== true) return false
    this.#dead.set(key, true)
    return true
  }

  /** A caller's own session is dead: Jira's 401 answers it for a while without asking again. */
  async markCallerSessionDead (key: string): Promise<void> {
    this.#dead.set(key, true)
    await this.#shared?.store.deadSessions.mark(key, DEAD_SESSION_MS)
  }

  /**
   * A caller's credentials are about to reach Jira on a plain Jira request without a session of
   * theirs: Jira judges them as a login, so the login guard and the first-contact limit apply as
   * for the proxy's own logins. Rejects with the refusal.
   */
  async credentialsSent (identity: CredentialIdentity, client: string | undefined): Promise<void> {
    await this.#admit(loginAttempt(identity), client)
  }

  /** Jira's verdict on credentials a caller sent on a plain Jira request (without a session). */
  async credentialsJudged (identity: CredentialIdentity, status: number, headers: Record<string, string | string[] | undefined>): Promise<void> {
    const attempt = loginAttempt(identity)
    const reason = String(headers['x-seraph-loginreason'] ?? '')
    const denied = String(headers['x-authentication-denied-reason'] ?? '')
    if (denied.includes('CAPTCHA_CHALLENGE') || reason.includes('AUTHENTICATION_DENIED')) {
      await this.#guard.captcha(attempt.name, /login-url=([^;\s]+)/.exec(denied)?.[1])
    } else if (status === 401 && reason.includes('AUTHENTICATED_FAILED')) {
      await this.#guard.failed(attempt)
    } else if (status < 400 && headers['x-ausername'] !== undefined && headers['x-ausername'] !== 'anonymous') {
      await this.#guard.succeeded(attempt)
    }
  }

  /** The login guard's word on an attempt, and a first contact's place under the limit. Throws the refusal. */
  async #admit (attempt: LoginAttempt, client: string | undefined): Promise<void> {
    await this.#guard.check(attempt)
    if (!await this.#guard.isKnownGood(attempt)) this.#firstContacts.admit(client)
  }

  /**
   * Logs in, once across replicas sharing a store: one replica at a time logs in an account, and
   * a session another replica stored (and Jira has not been found to forget here) is taken as it is.
   */
  async #login (identity: CredentialIdentity, entry: IdentityTokens, client: string | undefined): Promise<JiraSession> {
    if (this.#shared === undefined) return await this.#loginToJira(identity, entry, client)
    const dead = this.#deadIds.get(entry)
    const deadSince = this.#deadSince.get(entry) ?? 0
    const result = await flyShared<SerializedJar>({
      records: this.#shared.store.jars,
      locks: this.#shared.store.locks,
      key: identity.key,
      lockName: `login\n${loginAttempt(identity).name}`,
      lockTtlMs: this.#shared.lockTtlMs,
      usable: (record) => {
        const id = new JiraSession(record.value as SerializedJiraSession).id
        return id !== undefined && id !== dead && (deadSince === 0 || loginStartedAt(record.value) > deadSince)
      },
      produce: async (stored) => {
        const startedAt = Date.now()
        // Stored before this replica found its own dead: Jira says whether it outlived the cause.
        const theirs = stored === undefined ? undefined : new JiraSession(stored.value as SerializedJiraSession)
        if (theirs?.id !== undefined && theirs.id !== dead && await this.#client.sessionAlive(theirs)) {
          entry.session = theirs
          this.#lost.delete(entry)
          this.#deadSince.delete(entry)
          return { value: { ...theirs.toJSON(), [LOGIN_STARTED_AT]: startedAt }, ttlMs: SHARED_JAR_MS }
        }
        const session = await this.#loginToJira(identity, entry, client)
        return { value: { ...session.toJSON(), [LOGIN_STARTED_AT]: startedAt }, ttlMs: SHARED_JAR_MS }
      }
    })
    if (result === undefined || result.produced) return entry.session as JiraSession
    const session = new JiraSession(result.value as SerializedJiraSession)
    this.#lost.delete(entry)
    this.#deadSince.delete(entry)
    this.#log.info({ identity: label(identity) }, 'took the Jira session another replica logged in')
    entry.session = session
    return session
  }

  async #loginToJira (identity: CredentialIdentity, entry: IdentityTokens, client: string | undefined): Promise<JiraSession> {
    const attempt = loginAttempt(identity)
    const { name } = attempt
    try {
      await this.#admit(attempt, client)
    } catch (err) {
      this.#log.debug({ identity: label(identity), code: (err as ProxyError).code }, 'login not attempted')
      throw err
    }
    // The cookies left of a lost session (a balancer's) go along, so the login lands on the node
    // the balancer now routes this identity to.
    const jar = entry.session?.withoutSession() ?? new JiraSession()
    const creds = identity.kind === 'service' ? identity.credentials : identity.kind === 'password' ? { kind: 'password' as const, username: identity.username, password: identity.password } : { kind: 'pat' as const, token: identity.token }
    const r = creds.kind === 'password'
      ? await this.#client.loginWithPassword(creds.username, creds.password, jar)
      : await this.#client.loginWithToken(creds.token, jar)
    if (r.ok) {
      await this.#guard.succeeded(attempt)
      const lost = this.#lost.get(entry)
      if (lost !== undefined) {
        this.#lost.delete(entry)
        this.#metrics.sessionRelogins.inc({ reason: lost })
      }
      this.#log.info({ identity: label(identity), relogin: lost }, 'logged in to Jira')
      entry.session = jar
      return jar
    }
    if (r.reason === 'captcha') {
      this.#log.error({ identity: label(identity) }, 'Jira demands a CAPTCHA for this account; no more logins until someone signs in through a browser and the proxy gets SIGHUP')
      throw await this.#guard.captcha(name, r.loginUrl)
    }
    if (r.reason === 'denied') {
      // Not a verdict on the password (a 404 from a wrong JIRA_URL, a proxy page): counting it
      // toward the backoff would hold a correct password for an hour.
      this.#log.warn({ identity: label(identity), status: r.status }, 'Jira did not answer the login like a Jira login')
      await this.#guard.pause(name, 5000)
      throw new ProxyError('LOGIN_FAILED', `Jira answered the login with HTTP ${r.status}; check JIRA_URL and that REST logins are allowed.`)
    }
    const err = await this.#guard.failed(attempt)
    this.#log.warn({ identity: label(identity), status: r.status, reason: r.reason, retryAfterSeconds: Number(err.headers?.['retry-after']) }, 'Jira rejected the login; backing off')
    throw err
  }
}

/** Where a stored jar records when its login started (beside the jar's own fields, which ignore it). */
const LOGIN_STARTED_AT = 'loginStartedAt'

/** When the login of a stored jar started; 0 for a jar stored without it. */
function loginStartedAt (jar: SerializedJar): number {
  const at = jar[LOGIN_STARTED_AT]
  return typeof at === 'number' ? at : 0
}

/**
 * The session an answer opened, if it set a session cookie; cookies alone (a refusal's) are not a
 * session worth keeping.
 */
export function opened (setCookie: string | string[]): JiraSession | undefined {
  const session = new JiraSession()
  session.absorb(setCookie)
  return session.id === undefined ? undefined : session
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

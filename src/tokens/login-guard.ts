import { LRUCache } from 'lru-cache'
import { ProxyError } from '../errors.js'

/**
 * Keeps the proxy from locking Jira accounts, without letting one caller's wrong guesses deny
 * another caller's good credentials. Jira demands a CAPTCHA after a few consecutive failed logins
 * of a user (3 by default) and then refuses every REST login until a person signs in through a
 * browser. So the proxy holds what failed, not everyone who shares the name:
 * - a credential that failed (by its hash) is not tried again for `holdMs` (LOGIN_FAILED);
 * - a credential not known to be good waits a growing delay after a failure of its account name,
 *   and after `maxFailures` consecutive failures of the name it waits `holdMs` (LOGIN_BACKOFF),
 *   which keeps Jira's count for the name below its threshold;
 * - a credential known to be good (the configured service credential, or one that has logged in
 *   before) is not held by the name's failures: its login succeeds and resets Jira's count;
 * - after a CAPTCHA answer, no login for that name is tried until `captchaHoldMs` passes or `reset()`.
 * The state sits behind these methods alone, so it can be kept elsewhere (shared by replicas).
 */
export interface LoginGuardOptions {
  /** Delay after the first failure of a name; doubles with each further one. */
  baseDelayMs?: number
  /** Consecutive failures after which the name is held for `holdMs`. */
  maxFailures?: number
  /** How long a failed credential, and a name at `maxFailures`, is held. */
  holdMs?: number
  captchaHoldMs?: number
  /** Names, failed credentials and good credentials remembered (each; oldest leave first). */
  maxNames?: number
  now?: () => number
}

export type LoginState = 'healthy' | 'backoff' | 'held' | 'captcha'

/** One login the proxy is about to make. */
export interface LoginAttempt {
  /** The Jira account the failures count against (`user:<name>`, `pat:<key>`). */
  name: string
  /** The credential's hash (never the credential itself). */
  credential: string
  /** The operator's configured credential: known good until it fails. */
  trusted: boolean
}

interface NameState {
  failures: number
  retryAt: number
  /** A pause that applies to every credential (Jira did not judge the last login). */
  pausedUntil: number
  captchaUntil: number
  loginUrl: string | undefined
}

export class LoginGuard {
  readonly #names: LRUCache<string, NameState>
  /** Failed credentials, until when they are held. */
  readonly #failed: LRUCache<string, number>
  /** Credentials that have logged in. */
  readonly #good: LRUCache<string, true>
  readonly #base: number
  readonly #max: number
  readonly #hold: number
  readonly #captchaHold: number
  readonly #now: () => number

  constructor (options: LoginGuardOptions = {}) {
    this.#base = options.baseDelayMs ?? 30_000
    this.#max = options.maxFailures ?? 2
    this.#hold = options.holdMs ?? 3_600_000
    this.#captchaHold = options.captchaHoldMs ?? 3_600_000
    this.#now = options.now ?? Date.now
    const max = options.maxNames ?? 10_000
    this.#names = new LRUCache({ max })
    this.#failed = new LRUCache({ max })
    this.#good = new LRUCache({ max })
  }

  /** Throws the caller-facing error when this login must not be tried now. */
  check (attempt: LoginAttempt): void {
    const now = this.#now()
    const s = this.#names.get(attempt.name)
    if (s !== undefined && now < s.captchaUntil) throw captchaRefusal(s.loginUrl, s.captchaUntil - now)
    const failedUntil = this.#failed.get(attempt.credential)
    if (failedUntil !== undefined && now < failedUntil) throw credentialRefusal(failedUntil - now)
    if (s === undefined) return
    const waitUntil = this.isKnownGood(attempt) ? s.pausedUntil : Math.max(s.retryAt, s.pausedUntil)
    if (now < waitUntil) throw backoffRefusal(waitUntil - now)
  }

  /** Whether the credential is the configured one or has logged in before (and not failed since). */
  isKnownGood (attempt: LoginAttempt): boolean {
    return attempt.trusted || this.#good.has(attempt.credential)
  }

  /** Records a login that worked: the name's failures are gone, the credential is known good. */
  succeeded (attempt: LoginAttempt): void {
    this.#names.delete(attempt.name)
    this.#failed.delete(attempt.credential)
    if (!attempt.trusted) this.#good.set(attempt.credential, true)
  }

  /** Records a rejected login and returns the error for the caller. */
  failed (attempt: LoginAttempt): ProxyError {
    const now = this.#now()
    const s = this.#state(attempt.name)
    s.failures++
    s.retryAt = now + (s.failures >= this.#max ? this.#hold : this.#base * 2 ** (s.failures - 1))
    this.#good.delete(attempt.credential)
    this.#failed.set(attempt.credential, now + this.#hold)
    return new ProxyError('LOGIN_FAILED', 'Jira rejected the credentials.', { headers: retryAfter(this.#hold) })
  }

  /**
   * Records a login Jira did not judge (a 404, an unexpected page): no failure is counted, but
   * every login of the name pauses for `ms` so a wrong JIRA_URL does not turn into a login per request.
   */
  pause (name: string, ms: number): void {
    const s = this.#state(name)
    s.pausedUntil = Math.max(s.pausedUntil, this.#now() + ms)
  }

  /**
   * Holds the name for at least `ms` as its failures would: credentials not known to be good wait,
   * known-good ones still log in (a failure other replicas could not hear of).
   */
  hold (name: string, ms: number): void {
    const s = this.#state(name)
    s.retryAt = Math.max(s.retryAt, this.#now() + ms)
  }

  /** Records a CAPTCHA demand and returns the error for the caller. */
  captcha (name: string, loginUrl: string | undefined): ProxyError {
    const s = this.#state(name)
    const now = this.#now()
    s.captchaUntil = now + this.#captchaHold
    s.loginUrl = loginUrl
    return captchaRefusal(loginUrl, this.#captchaHold)
  }

  /** How logins of a name stand right now, as far as credentials not known to be good go. */
  state (name: string): LoginState {
    // `peek`: looking must not reorder the LRU (counts() walks it while calling this).
    const s = this.#names.peek(name)
    if (s === undefined) return 'healthy'
    const now = this.#now()
    if (now < s.captchaUntil) return 'captcha'
    if (now >= Math.max(s.retryAt, s.pausedUntil)) return 'healthy'
    return s.failures >= this.#max && now < s.retryAt ? 'held' : 'backoff'
  }

  /** Counts of names per non-healthy state, for metrics. */
  counts (): Record<Exclude<LoginState, 'healthy'>, number> {
    const out = { backoff: 0, held: 0, captcha: 0 }
    for (const name of [...this.#names.keys()]) {
      const st = this.state(name)
      if (st !== 'healthy') out[st]++
    }
    return out
  }

  /** The operator's "I fixed it": forget every failure and CAPTCHA block. */
  reset (): void {
    this.#names.clear()
    this.#failed.clear()
  }

  #state (name: string): NameState {
    let s = this.#names.get(name)
    if (s === undefined) {
      s = { failures: 0, retryAt: 0, pausedUntil: 0, captchaUntil: 0, loginUrl: undefined }
      this.#names.set(name, s)
    }
    return s
  }
}

/** The refusals a caller gets while a login may not be tried, with how long until it may. */
export function captchaRefusal (loginUrl: string | undefined, waitMs: number): ProxyError {
  const where = loginUrl === undefined ? 'in a browser' : `at ${loginUrl}`
  return new ProxyError('JIRA_CAPTCHA_REQUIRED', `Jira demands a CAPTCHA for this account: sign in once ${where}, then restart the proxy or send it SIGHUP.`, { headers: retryAfter(waitMs) })
}

export function credentialRefusal (waitMs: number): ProxyError {
  return new ProxyError('LOGIN_FAILED', 'Jira rejected these credentials; the proxy will not retry them so the account is not locked.', { headers: retryAfter(waitMs) })
}

export function backoffRefusal (waitMs: number): ProxyError {
  return new ProxyError('LOGIN_BACKOFF', 'Recent logins for this account failed; the proxy waits before trying again so Jira does not lock it.', { headers: retryAfter(waitMs) })
}

export function retryAfter (ms: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) }
}

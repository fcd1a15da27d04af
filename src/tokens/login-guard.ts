import { LRUCache } from 'lru-cache'
import { ProxyError } from '../errors.js'

/**
 * Keeps the proxy from locking Jira accounts. Jira demands a CAPTCHA after a few consecutive
 * failed logins of a user (3 by default) and then refuses every REST login until a person signs
 * in through a browser. So the proxy remembers failures per login name and:
 * - never repeats a credential that just failed (the caller gets LOGIN_FAILED at once);
 * - lets a different credential for the same name try only after a growing delay (LOGIN_BACKOFF);
 * - stops after `maxFailures` consecutive failures for `holdMs`, staying below Jira's threshold;
 * - after a CAPTCHA answer, stops logging that name in until `captchaHoldMs` passes or `reset()`.
 */
export interface LoginGuardOptions {
  /** Delay after the first failure; doubles with each further one. */
  baseDelayMs?: number
  /** Consecutive failures after which the name is held for `holdMs`. */
  maxFailures?: number
  holdMs?: number
  captchaHoldMs?: number
  maxNames?: number
  now?: () => number
}

export type LoginState = 'healthy' | 'backoff' | 'held' | 'captcha'

interface NameState {
  failures: number
  retryAt: number
  failedCredential: string | undefined
  captchaUntil: number
  loginUrl: string | undefined
}

export class LoginGuard {
  readonly #names: LRUCache<string, NameState>
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
    this.#names = new LRUCache({ max: options.maxNames ?? 10_000 })
  }

  /** Throws the caller-facing error when a login for `name` with `credential` must not be tried now. */
  check (name: string, credential: string): void {
    const s = this.#names.get(name)
    if (s === undefined) return
    const err = this.#refusal(s, credential, this.#now())
    if (err !== undefined) throw err
  }

  #refusal (s: NameState, credential: string, now: number): ProxyError | undefined {
    if (now < s.captchaUntil) return captchaError(s, now)
    if (now >= s.retryAt) return undefined
    if (credential === s.failedCredential) {
      return new ProxyError('LOGIN_FAILED', 'Jira rejected these credentials; the proxy will not retry them so the account is not locked.', {
        headers: retryAfter(s.retryAt - now)
      })
    }
    return new ProxyError('LOGIN_BACKOFF', 'Recent logins for this account failed; the proxy waits before trying again so Jira does not lock it.', {
      headers: retryAfter(s.retryAt - now)
    })
  }

  succeeded (name: string): void {
    this.#names.delete(name)
  }

  /** Records a rejected login and returns the error for the caller. */
  failed (name: string, credential: string): ProxyError {
    const s = this.#state(name)
    s.failures++
    s.failedCredential = credential
    const delay = s.failures >= this.#max ? this.#hold : this.#base * 2 ** (s.failures - 1)
    s.retryAt = this.#now() + delay
    return new ProxyError('LOGIN_FAILED', 'Jira rejected the credentials.', { headers: retryAfter(delay) })
  }

  /**
   * Records a login Jira did not judge (a 404, an unexpected page): no failure is counted, but
   * logins pause for `ms` so a wrong JIRA_URL does not turn into a login per request.
   */
  pause (name: string, ms: number): void {
    const s = this.#state(name)
    s.retryAt = Math.max(s.retryAt, this.#now() + ms)
  }

  /** Records a CAPTCHA demand and returns the error for the caller. */
  captcha (name: string, loginUrl: string | undefined): ProxyError {
    const s = this.#state(name)
    const now = this.#now()
    s.captchaUntil = now + this.#captchaHold
    s.loginUrl = loginUrl
    return captchaError(s, now)
  }

  state (name: string): LoginState {
    // `peek`: looking must not reorder the LRU (counts() walks it while calling this).
    const s = this.#names.peek(name)
    if (s === undefined) return 'healthy'
    const now = this.#now()
    if (now < s.captchaUntil) return 'captcha'
    if (now >= s.retryAt) return 'healthy'
    return s.failures >= this.#max ? 'held' : 'backoff'
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
  }

  #state (name: string): NameState {
    let s = this.#names.get(name)
    if (s === undefined) {
      s = { failures: 0, retryAt: 0, failedCredential: undefined, captchaUntil: 0, loginUrl: undefined }
      this.#names.set(name, s)
    }
    return s
  }
}

function captchaError (s: NameState, now: number): ProxyError {
  const where = s.loginUrl === undefined ? 'in a browser' : `at ${s.loginUrl}`
  return new ProxyError('JIRA_CAPTCHA_REQUIRED', `Jira demands a CAPTCHA for this account: sign in once ${where}, then restart the proxy or send it SIGHUP.`, {
    headers: retryAfter(s.captchaUntil - now)
  })
}

function retryAfter (ms: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) }
}

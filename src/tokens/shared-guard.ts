import { ProxyError } from '../errors.js'
import { type LoginFailureLedger, type LoginFailures, UNKNOWN } from '../store/ports.js'
import { type LoginAttempt, type LoginGuard, type LoginGuardOptions, backoffRefusal, captchaRefusal, credentialRefusal, retryAfter } from './login-guard.js'

/** What the session manager asks before and tells after a login (LoginGuard, or the shared one). */
export interface LoginRules {
  check: (attempt: LoginAttempt) => void | Promise<void>
  isKnownGood: (attempt: LoginAttempt) => boolean | Promise<boolean>
  succeeded: (attempt: LoginAttempt) => void | Promise<void>
  failed: (attempt: LoginAttempt) => ProxyError | Promise<ProxyError>
  pause: (name: string, ms: number) => void | Promise<void>
  captcha: (name: string, loginUrl: string | undefined) => ProxyError | Promise<ProxyError>
  reset: () => void | Promise<void>
}

export interface SharedLoginGuardOptions {
  /** How long each consecutive failure of an account holds it; the last for every further one. */
  delaysMs: readonly number[]
  /** How long a failed credential is not tried again. */
  credentialHoldMs: number
  captchaHoldMs: number
  now?: () => number
}

/**
 * The shared guard's timings for a local guard built with `options` (the same defaults): each
 * failure's delay doubling from the base, then the hold from the `maxFailures`-th on.
 */
export function sharedGuardOptions (options: LoginGuardOptions = {}): SharedLoginGuardOptions {
  const base = options.baseDelayMs ?? 30_000
  const max = options.maxFailures ?? 2
  const hold = options.holdMs ?? 3_600_000
  const delaysMs = Array.from({ length: max - 1 }, (_, i) => base * 2 ** i).concat(hold)
  return { delaysMs, credentialHoldMs: hold, captchaHoldMs: options.captchaHoldMs ?? 3_600_000, now: options.now }
}

/**
 * The login guard of replicas sharing a store: failures counted in the store's ledger, so every
 * replica knows them at once (a wrong password reaches Jira at most twice in all), and in the
 * local guard too. When the store does not answer, the local guard decides, and an account is
 * held after its first failure instead of its second: two replicas then stay below Jira's
 * CAPTCHA threshold on their own.
 */
export class SharedLoginGuard implements LoginRules {
  readonly #local: LoginGuard
  readonly #ledger: LoginFailureLedger
  readonly #delays: readonly number[]
  readonly #credentialHold: number
  readonly #captchaHold: number
  readonly #now: () => number

  constructor (local: LoginGuard, ledger: LoginFailureLedger, options: SharedLoginGuardOptions) {
    this.#local = local
    this.#ledger = ledger
    this.#delays = options.delaysMs
    this.#credentialHold = options.credentialHoldMs
    this.#captchaHold = options.captchaHoldMs
    this.#now = options.now ?? Date.now
  }

  async check (attempt: LoginAttempt): Promise<void> {
    const shared = await this.#ledger.read(attempt.name, attempt.credential)
    if (shared === UNKNOWN) {
      this.#local.check(attempt)
      return
    }
    if (shared !== undefined) {
      const refusal = refusalOf(shared, attempt.trusted, this.#now())
      if (refusal !== undefined) throw refusal
    }
  }

  /** Known good here, or to any replica (it logged in through one of them, and has not failed since). */
  async isKnownGood (attempt: LoginAttempt): Promise<boolean> {
    if (this.#local.isKnownGood(attempt)) return true
    const shared = await this.#ledger.read(attempt.name, attempt.credential)
    return shared !== UNKNOWN && shared?.credentialGood === true
  }

  async succeeded (attempt: LoginAttempt): Promise<void> {
    this.#local.succeeded(attempt)
    await this.#ledger.succeed(attempt.name, attempt.credential)
  }

  async failed (attempt: LoginAttempt): Promise<ProxyError> {
    const { name, credential } = attempt
    const local = this.#local.failed(attempt)
    const now = this.#now()
    const shared = await this.#ledger.fail(name, credential, this.#delays, this.#credentialHold, now)
    if (shared === UNKNOWN) {
      // Nobody else hears of this failure: hold the account here after the first (credentials
      // known good, the configured one among them, still log in, as with the local guard alone).
      const hold = this.#delays.at(-1) ?? 0
      this.#local.hold(name, hold)
      return new ProxyError('LOGIN_FAILED', local.message, { headers: retryAfter(hold) })
    }
    return new ProxyError('LOGIN_FAILED', local.message, { headers: retryAfter(Math.max(shared.retryAt, shared.credentialRetryAt) - now) })
  }

  async pause (name: string, ms: number): Promise<void> {
    this.#local.pause(name, ms)
    await this.#ledger.pause(name, this.#now() + ms)
  }

  async captcha (name: string, loginUrl: string | undefined): Promise<ProxyError> {
    const err = this.#local.captcha(name, loginUrl)
    await this.#ledger.captcha(name, this.#now() + this.#captchaHold, loginUrl)
    return err
  }

  async reset (): Promise<void> {
    this.#local.reset()
    await this.#ledger.resetAll()
  }
}

/** The error for a login the shared state forbids now, if it does (`trusted`: the configured credential). */
function refusalOf (s: LoginFailures, trusted: boolean, now: number): ProxyError | undefined {
  if (now < s.captchaUntil) return captchaRefusal(s.loginUrl, s.captchaUntil - now)
  if (now < s.credentialRetryAt) return credentialRefusal(s.credentialRetryAt - now)
  const waitUntil = trusted || s.credentialGood ? s.pausedUntil : Math.max(s.retryAt, s.pausedUntil)
  if (now < waitUntil) return backoffRefusal(waitUntil - now)
  return undefined
}

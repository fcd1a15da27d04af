/** Per-username failed-login counts and the CAPTCHA Jira demands after too many of them. */
export class LoginGuard {
  readonly #failures = new Map<string, number>()
  readonly #logins = new Map<string, number>()
  captchaAfter: number

  constructor (captchaAfter: number) {
    this.captchaAfter = captchaAfter
  }

  /** True once the user has failed `captchaAfter` times: every REST login is denied. */
  captchaRequired (user: string): boolean {
    return (this.#failures.get(user) ?? 0) >= this.captchaAfter
  }

  recordFailure (user: string): void {
    this.#failures.set(user, (this.#failures.get(user) ?? 0) + 1)
  }

  /** A successful login clears the failures and returns the user's login count. */
  recordSuccess (user: string): number {
    this.#failures.delete(user)
    const count = (this.#logins.get(user) ?? 0) + 1
    this.#logins.set(user, count)
    return count
  }

  failures (user: string): number {
    return this.#failures.get(user) ?? 0
  }

  loginCount (user: string): number {
    return this.#logins.get(user) ?? 0
  }

  reset (user?: string): void {
    if (user === undefined) this.#failures.clear()
    else this.#failures.delete(user)
  }
}

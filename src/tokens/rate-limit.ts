/**
 * A token bucket: `rate` per second, bursts up to `burst`. Used to bound how many never-seen Jira
 * sessions the proxy asks `system/auth` about, so a flood of made-up cookies cannot turn the
 * proxy into an amplifier against Jira.
 */
export class TokenBucket {
  readonly #rate: number
  readonly #burst: number
  readonly #now: () => number
  #tokens: number
  #at: number

  constructor (rate: number, burst: number, now: () => number = Date.now) {
    this.#rate = rate
    this.#burst = burst
    this.#now = now
    this.#tokens = burst
    this.#at = now()
  }

  /** Takes one token if there is one. */
  take (): boolean {
    const now = this.#now()
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate)
    this.#at = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }
}

/**
 * The bytes of request bodies held in memory for a replay, across every request of the process.
 * Each body is held only up to `MAX_REPLAY_BODY_BYTES`, but many at once would still add up; past
 * this budget a body streams once without a retry, as a large one does.
 */
export class ReplayBudget {
  #free: number

  constructor (readonly bytes: number) {
    this.#free = bytes
  }

  /** Takes `n` bytes of the budget if they are free. */
  reserve (n: number): boolean {
    if (n > this.#free) return false
    this.#free -= n
    return true
  }

  release (n: number): void {
    this.#free = Math.min(this.bytes, this.#free + n)
  }

  /** Bytes held right now. */
  get held (): number {
    return this.bytes - this.#free
  }
}

/** The default budget: 64 MiB, or four of the largest replayable bodies if that is more. */
export function defaultReplayBudget (maxReplayBodyBytes: number): number {
  return Math.max(64 * 1024 * 1024, 4 * maxReplayBodyBytes)
}

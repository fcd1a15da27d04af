import type { Logger } from 'pino'
import type { Metrics } from '../ops/metrics.js'
import {
  type Answer, type DeadSessions, type LoginFailureLedger, type Locks, type SerializedJar, type SharedStore,
  type TokenPairRecord, UNKNOWN, type VersionedRecords
} from './ports.js'

export interface FailOpenOptions {
  metrics: Metrics
  log: Logger
  /** No store call keeps a request waiting longer than this. */
  timeoutMs?: number
  /** At most one warning about the store per this long. */
  warnEveryMs?: number
  now?: () => number
}

const DEFAULT_TIMEOUT_MS = 250
const DEFAULT_WARN_EVERY_MS = 30_000

/**
 * A store that fails open: every call answers within a fraction of a second, and an error or a
 * timeout answers UNKNOWN, so the caller goes on from its own memory instead of failing a
 * request. The outage is counted (`bigpicture_proxy_store_errors_total{op}`), shown
 * (`bigpicture_proxy_store_up`) and logged, at most one warning per `warnEveryMs`. It deletes
 * nothing on its own, and the inner store's client reconnects by itself.
 */
export class FailOpenStore implements SharedStore {
  readonly tokens: VersionedRecords<TokenPairRecord>
  readonly jars: VersionedRecords<SerializedJar>
  readonly logins: LoginFailureLedger
  readonly deadSessions: DeadSessions
  readonly locks: Locks
  readonly #inner: SharedStore
  readonly #metrics: Metrics
  readonly #log: Logger
  readonly #timeoutMs: number
  readonly #warnEveryMs: number
  readonly #now: () => number
  #up = true
  #warnedAt = -Infinity

  constructor (inner: SharedStore, options: FailOpenOptions) {
    this.#inner = inner
    this.#metrics = options.metrics
    this.#log = options.log
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#warnEveryMs = options.warnEveryMs ?? DEFAULT_WARN_EVERY_MS
    this.#now = options.now ?? Date.now
    this.#metrics.store.up.set(1)
    this.tokens = this.#records('tokens', inner.tokens)
    this.jars = this.#records('jars', inner.jars)
    const { logins, deadSessions, locks } = inner
    this.logins = {
      read: async (account, credential) => await this.#call('logins_read', () => logins.read(account, credential)),
      fail: async (account, credential, delays, holdMs, now) => await this.#call('logins_fail', () => logins.fail(account, credential, delays, holdMs, now)),
      succeed: async (account, credential) => await this.#call('logins_succeed', () => logins.succeed(account, credential)),
      pause: async (account, until) => await this.#call('logins_pause', () => logins.pause(account, until)),
      captcha: async (account, until, url) => await this.#call('logins_captcha', () => logins.captcha(account, until, url)),
      resetAll: async () => await this.#call('logins_reset_all', () => logins.resetAll())
    }
    this.deadSessions = {
      mark: async (session, ttlMs) => await this.#call('dead_mark', () => deadSessions.mark(session, ttlMs)),
      isDead: async (session) => await this.#call('dead_read', () => deadSessions.isDead(session))
    }
    this.locks = {
      obtain: async (name, ttlMs) => await this.#call('lock_obtain', () => locks.obtain(name, ttlMs)),
      release: async (lock) => await this.#call('lock_release', () => locks.release(lock)),
      // Waiting for another holder is meant to take a while: it gets its own limit.
      released: async (name, timeoutMs) => await this.#call('lock_wait', () => locks.released(name, timeoutMs), timeoutMs + this.#timeoutMs)
    }
  }

  /** Whether the last call was answered. */
  get up (): boolean {
    return this.#up
  }

  async ping (): Promise<Answer<string>> {
    return await this.#call('ping', () => this.#inner.ping())
  }

  async close (): Promise<void> {
    await this.#inner.close()
  }

  #records<T> (kind: string, inner: VersionedRecords<T>): VersionedRecords<T> {
    return {
      load: async (key) => await this.#call(`${kind}_load`, () => inner.load(key)),
      replace: async (key, expected, value, ttlMs) => await this.#call(`${kind}_replace`, () => inner.replace(key, expected, value, ttlMs)),
      remove: async (key, expected) => await this.#call(`${kind}_remove`, () => inner.remove(key, expected))
    }
  }

  async #call<T> (op: string, work: () => Promise<Answer<T>>, limitMs = this.#timeoutMs): Promise<Answer<T>> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<Error>((resolve) => {
      timer = setTimeout(() => resolve(new Error(`no answer within ${limitMs} ms`)), limitMs)
    })
    try {
      const outcome = await Promise.race([work().then((value): { value: Answer<T> } => ({ value }), (err: unknown) => err as Error), late])
      if (outcome instanceof Error) return this.#failed(op, outcome)
      this.#answered()
      return outcome.value
    } finally {
      clearTimeout(timer)
    }
  }

  #answered (): void {
    if (this.#up) return
    this.#up = true
    this.#metrics.store.up.set(1)
    this.#log.info('the shared store answers again; using it')
  }

  #failed (op: string, err: Error): typeof UNKNOWN {
    this.#metrics.store.errors.inc({ op })
    if (this.#up) {
      this.#up = false
      this.#metrics.store.up.set(0)
    }
    const now = this.#now()
    if (now - this.#warnedAt >= this.#warnEveryMs) {
      this.#warnedAt = now
      this.#log.warn({ op, reason: err.message }, 'the shared store did not answer; going on from local state')
    }
    return UNKNOWN
  }
}

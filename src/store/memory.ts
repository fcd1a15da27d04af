import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import {
  type Answer, type DeadSessions, type HeldLock, type LoginFailureLedger, type LoginFailures, type Locks,
  type SerializedJar, type SharedStore, type Swap, type TokenPairRecord, type Versioned, type VersionedRecords,
  delayFor
} from './ports.js'

export interface MemoryStoreOptions {
  /** Entries kept per kind; the least recently used leave first. */
  max?: number
  now?: () => number
}

/**
 * The shared store of a single process: plain records in bounded maps, nothing leaves memory.
 * Every operation is atomic because it runs to its end without yielding.
 */
export class MemoryStore implements SharedStore {
  readonly tokens: VersionedRecords<TokenPairRecord>
  readonly jars: VersionedRecords<SerializedJar>
  readonly logins: LoginFailureLedger
  readonly deadSessions: DeadSessions
  readonly locks: Locks

  constructor (options: MemoryStoreOptions = {}) {
    const max = options.max ?? 100_000
    const now = options.now ?? Date.now
    this.tokens = new MemoryRecords(max, now)
    this.jars = new MemoryRecords(max, now)
    this.logins = new MemoryLedger(max)
    this.deadSessions = new MemoryDeadSessions(max, now)
    this.locks = new MemoryLocks(now)
  }

  async ping (): Promise<string> {
    return 'in-process'
  }

  async close (): Promise<void> {}
}

interface Expiring<T> extends Versioned<T> {
  expiresAt: number
}

class MemoryRecords<T> implements VersionedRecords<T> {
  readonly #entries: LRUCache<string, Expiring<T>>
  readonly #now: () => number

  constructor (max: number, now: () => number) {
    this.#entries = new LRUCache({ max })
    this.#now = now
  }

  #live (key: string): Expiring<T> | undefined {
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }

  async load (key: string): Promise<Versioned<T> | undefined> {
    const entry = this.#live(key)
    return entry === undefined ? undefined : { value: entry.value, generation: entry.generation }
  }

  async replace (key: string, expected: number, value: T, ttlMs: number): Promise<Swap<T>> {
    const entry = this.#live(key)
    const generation = entry?.generation ?? 0
    if (generation !== expected) return { swapped: false, current: entry === undefined ? undefined : { value: entry.value, generation } }
    this.#entries.set(key, { value, generation: generation + 1, expiresAt: this.#now() + ttlMs })
    return { swapped: true, generation: generation + 1 }
  }

  async remove (key: string, expected: number): Promise<boolean> {
    const entry = this.#live(key)
    if (entry === undefined || entry.generation !== expected) return false
    this.#entries.delete(key)
    return true
  }
}

interface AccountState {
  failures: number
  retryAt: number
  pausedUntil: number
  captchaUntil: number
  loginUrl: string | undefined
}

class MemoryLedger implements LoginFailureLedger {
  readonly #accounts: LRUCache<string, AccountState>
  /** Failed credentials, until when each is held. */
  readonly #failed: LRUCache<string, number>
  /** Credentials that logged in. */
  readonly #good: LRUCache<string, true>

  constructor (max: number) {
    this.#accounts = new LRUCache({ max })
    this.#failed = new LRUCache({ max })
    this.#good = new LRUCache({ max })
  }

  async read (account: string, credential: string): Promise<LoginFailures | undefined> {
    const s = this.#accounts.get(account)
    if (s === undefined && !this.#failed.has(credential) && !this.#good.has(credential)) return undefined
    return this.#view(s, credential)
  }

  async fail (account: string, credential: string, delaysMs: readonly number[], credentialHoldMs: number, now: number): Promise<LoginFailures> {
    const s = this.#state(account)
    s.failures++
    s.retryAt = Math.max(s.retryAt, now + delayFor(delaysMs, s.failures))
    this.#failed.set(credential, now + credentialHoldMs)
    this.#good.delete(credential)
    return this.#view(s, credential)
  }

  async succeed (account: string, credential: string): Promise<void> {
    this.#accounts.delete(account)
    this.#failed.delete(credential)
    this.#good.set(credential, true)
  }

  async pause (account: string, until: number): Promise<void> {
    const s = this.#state(account)
    s.pausedUntil = Math.max(s.pausedUntil, until)
  }

  async captcha (account: string, until: number, loginUrl: string | undefined): Promise<void> {
    const s = this.#state(account)
    s.captchaUntil = Math.max(s.captchaUntil, until)
    s.loginUrl = loginUrl
  }

  async resetAll (): Promise<void> {
    this.#accounts.clear()
    this.#failed.clear()
  }

  #state (account: string): AccountState {
    let s = this.#accounts.get(account)
    if (s === undefined) {
      s = { failures: 0, retryAt: 0, pausedUntil: 0, captchaUntil: 0, loginUrl: undefined }
      this.#accounts.set(account, s)
    }
    return s
  }

  #view (s: AccountState | undefined, credential: string): LoginFailures {
    return {
      failures: s?.failures ?? 0,
      retryAt: s?.retryAt ?? 0,
      pausedUntil: s?.pausedUntil ?? 0,
      captchaUntil: s?.captchaUntil ?? 0,
      loginUrl: s?.loginUrl,
      credentialRetryAt: this.#failed.get(credential) ?? 0,
      credentialGood: this.#good.has(credential)
    }
  }
}

class MemoryDeadSessions implements DeadSessions {
  readonly #until: LRUCache<string, number>
  readonly #now: () => number

  constructor (max: number, now: () => number) {
    this.#until = new LRUCache({ max })
    this.#now = now
  }

  async mark (session: string, ttlMs: number): Promise<void> {
    this.#until.set(session, this.#now() + ttlMs)
  }

  async isDead (session: string): Promise<boolean> {
    return (this.#until.get(session) ?? 0) > this.#now()
  }
}

interface MemoryLock {
  token: string
  expiresAt: number
}

class MemoryLocks implements Locks {
  readonly #held = new Map<string, MemoryLock>()
  readonly #waiters = new Map<string, Set<() => void>>()
  readonly #now: () => number

  constructor (now: () => number) {
    this.#now = now
  }

  #holder (name: string): MemoryLock | undefined {
    const lock = this.#held.get(name)
    if (lock !== undefined && lock.expiresAt <= this.#now()) {
      this.#held.delete(name)
      return undefined
    }
    return lock
  }

  async obtain (name: string, ttlMs: number): Promise<HeldLock | undefined> {
    if (this.#holder(name) !== undefined) return undefined
    const token = randomUUID()
    this.#held.set(name, { token, expiresAt: this.#now() + ttlMs })
    return { name, token }
  }

  async release (lock: HeldLock): Promise<boolean> {
    if (this.#holder(lock.name)?.token !== lock.token) return false
    this.#held.delete(lock.name)
    for (const wake of this.#waiters.get(lock.name) ?? []) wake()
    return true
  }

  released (name: string, timeoutMs: number): Promise<Answer<boolean>> {
    const holder = this.#holder(name)
    if (holder === undefined) return Promise.resolve(true)
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(name) ?? new Set()
      this.#waiters.set(name, waiters)
      const done = (free: boolean): void => {
        clearTimeout(timer)
        waiters.delete(wake)
        if (waiters.size === 0 && this.#waiters.get(name) === waiters) this.#waiters.delete(name)
        resolve(free)
      }
      const wake = (): void => done(true)
      waiters.add(wake)
      // The holder may vanish without releasing: its lock then expires, and that frees it too.
      const expires = holder.expiresAt - this.#now()
      const timer = setTimeout(() => done(this.#holder(name) === undefined), Math.max(0, Math.min(timeoutMs, expires)))
    })
  }
}

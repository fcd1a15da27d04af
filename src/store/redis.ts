import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { StoreCrypto } from './crypto.js'
import {
  type DeadSessions, type HeldLock, type LoginFailureLedger, type LoginFailures, type Locks, type SerializedJar,
  type SharedStore, type Swap, type TokenPairRecord, type Versioned, type VersionedRecords
} from './ports.js'
import { FAIL_LOGIN, HOLD_LOGIN, RELEASE_LOCK, REMOVE, REPLACE, SUCCEED_LOGIN } from './scripts.js'

export interface RedisStoreOptions {
  url: string
  secret: string
  prefix: string
  /** A command that got no answer in this long fails, so none piles up behind a hung server. */
  commandTimeoutMs?: number
  /** Connection errors, as they happen. */
  onError?: (err: Error) => void
  /** Reconnect after a lost connection (default); a one-off check gives up instead. */
  reconnect?: boolean
}

/** An account's entry outlives its last hold by this much: Jira's own count does not forget either. */
const LEDGER_KEEP_MS = 24 * 3_600_000
/** How long a credential that logged in stays known good after its last login. */
const GOOD_KEEP_MS = 7 * 24 * 3_600_000
/** How often a waiter looks whether a lock is gone, besides being told on release. */
const LOCK_POLL_MS = 100

/** Entry kinds, the first part of every key after the prefix. */
const KIND = { tokens: 't', jars: 'j', logins: 'l', good: 'g', dead: 'd', lock: 'k' } as const

type ScriptRunner = (name: string, keys: string[], args: Array<string | number | Buffer>) => Promise<unknown>

/**
 * The shared store on Redis 6+ / Valkey through ioredis. Every key is `STORE_PREFIX`, a kind and
 * an HMAC of the entry's name; every value a client could read something from is sealed
 * (crypto.ts). Entries expire with what they hold. Commands fail at once while disconnected (no
 * offline queue): callers go on from local state, and the client reconnects by itself.
 */
export class RedisStore implements SharedStore {
  readonly tokens: VersionedRecords<TokenPairRecord>
  readonly jars: VersionedRecords<SerializedJar>
  readonly logins: LoginFailureLedger
  readonly deadSessions: DeadSessions
  readonly locks: RedisLocks
  readonly #redis: Redis
  readonly #keys: KeyMaker
  readonly #crypto: StoreCrypto

  constructor (options: RedisStoreOptions) {
    this.#redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      retryStrategy: (attempt) => options.reconnect === false ? null : Math.min(attempt * 100, 1000),
      lazyConnect: true
    })
    this.#redis.on('error', (err: Error) => options.onError?.(err))
    const scripts = { replace: REPLACE, remove: REMOVE, failLogin: FAIL_LOGIN, holdLogin: HOLD_LOGIN, succeedLogin: SUCCEED_LOGIN, releaseLock: RELEASE_LOCK }
    // Without `numberOfKeys`, the first argument says how many keys follow (EVALSHA's own form).
    for (const [name, lua] of Object.entries(scripts)) this.#redis.defineCommand(name, { lua })
    const commands = this.#redis as unknown as Record<string, (...args: Array<string | number | Buffer>) => Promise<unknown>>
    const run: ScriptRunner = async (name, keys, args) => await (commands[`${name}Buffer`] as (...a: Array<string | number | Buffer>) => Promise<unknown>).call(this.#redis, keys.length, ...keys, ...args)
    const crypto = new StoreCrypto(options.secret)
    this.#crypto = crypto
    this.#keys = new KeyMaker(options.prefix, crypto)
    this.tokens = new RedisRecords(this.#redis, run, this.#keys, crypto, KIND.tokens)
    this.jars = new RedisRecords(this.#redis, run, this.#keys, crypto, KIND.jars)
    this.logins = new RedisLedger(this.#redis, run, this.#keys, crypto)
    this.deadSessions = new RedisDeadSessions(this.#redis, this.#keys)
    this.locks = new RedisLocks(this.#redis, run, this.#keys)
  }

  /** Connects, resolving once the server answers or failing after the connect timeout. */
  async connect (): Promise<void> {
    if (this.#redis.status === 'wait') await this.#redis.connect()
  }

  /** The server's name and version, e.g. `Redis 7.2.4` or `Valkey 8.0.1`. */
  async ping (): Promise<string> {
    const info = await this.#redis.info('server')
    const field = (name: string): string | undefined => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1]
    const valkey = field('valkey_version')
    return valkey === undefined ? `Redis ${field('redis_version') ?? 'unknown version'}` : `Valkey ${valkey}`
  }

  /**
   * Whether a token pair or jar some replica stored opens with this store's secret: `undefined`
   * when there is none to try. A replica with another STORE_SECRET would share nothing.
   */
  async othersOpen (): Promise<boolean | undefined> {
    for (const kind of [KIND.tokens, KIND.jars]) {
      const [, keys] = await this.#redis.scan('0', 'MATCH', this.#keys.pattern(kind), 'COUNT', 100)
      const key = keys[0]
      if (key === undefined) continue
      const [g, v] = await this.#redis.hmgetBuffer(key, 'g', 'v')
      if (g == null || v == null) continue
      try {
        this.#crypto.open(v, context(key, Number(g.toString())))
        return true
      } catch {
        return false
      }
    }
    return undefined
  }

  async close (): Promise<void> {
    await this.locks.close()
    this.#redis.disconnect()
  }
}

/** Keys of entries: prefix, kind, and an HMAC of the name, so no name is readable. */
class KeyMaker {
  readonly #prefix: string
  readonly #crypto: StoreCrypto

  constructor (prefix: string, crypto: StoreCrypto) {
    this.#prefix = prefix
    this.#crypto = crypto
  }

  key (kind: string, name: string): string {
    return `${this.#prefix}${kind}:${this.#crypto.name(kind, name)}`
  }

  /** A pattern matching every key of a kind, for SCAN. */
  pattern (kind: string): string {
    return `${this.#prefix.replace(/[*?[\]\\]/g, '\\$&')}${kind}:*`
  }

  /** The channel on which lock releases are announced. */
  get releases (): string {
    return `${this.#prefix}released`
  }
}

class RedisRecords<T> implements VersionedRecords<T> {
  readonly #redis: Redis
  readonly #run: ScriptRunner
  readonly #keys: KeyMaker
  readonly #crypto: StoreCrypto
  readonly #kind: string

  constructor (redis: Redis, run: ScriptRunner, keys: KeyMaker, crypto: StoreCrypto, kind: string) {
    this.#redis = redis
    this.#run = run
    this.#keys = keys
    this.#crypto = crypto
    this.#kind = kind
  }

  async load (name: string): Promise<Versioned<T> | undefined> {
    const key = this.#keys.key(this.#kind, name)
    const [g, v] = await this.#redis.hmgetBuffer(key, 'g', 'v')
    if (g == null || v == null) return undefined
    const generation = Number(g.toString())
    return { value: this.#open(key, generation, v), generation }
  }

  async replace (name: string, expected: number, value: T, ttlMs: number): Promise<Swap<T>> {
    const key = this.#keys.key(this.#kind, name)
    const sealed = this.#crypto.seal(JSON.stringify(value), context(key, expected + 1))
    const [ok, generation, stored] = await this.#run('replace', [key], [expected, sealed, Math.max(1, Math.ceil(ttlMs))]) as [number, number, Buffer | null]
    if (ok === 1) return { swapped: true, generation }
    return { swapped: false, current: stored == null ? undefined : { value: this.#open(key, generation, stored), generation } }
  }

  async remove (name: string, expected: number): Promise<boolean> {
    return await this.#run('remove', [this.#keys.key(this.#kind, name)], [expected]) === 1
  }

  #open (key: string, generation: number, sealed: Buffer): T {
    return JSON.parse(this.#crypto.open(sealed, context(key, generation))) as T
  }
}

/** What a sealed record value is bound to: its key and generation. */
function context (key: string, generation: number): string {
  return `${key}#${generation}`
}

class RedisLedger implements LoginFailureLedger {
  readonly #redis: Redis
  readonly #run: ScriptRunner
  readonly #keys: KeyMaker
  readonly #crypto: StoreCrypto

  constructor (redis: Redis, run: ScriptRunner, keys: KeyMaker, crypto: StoreCrypto) {
    this.#redis = redis
    this.#run = run
    this.#keys = keys
    this.#crypto = crypto
  }

  async read (account: string, credential: string): Promise<LoginFailures | undefined> {
    const key = this.#key(account)
    const [fields, good] = await Promise.all([
      this.#redis.hmgetBuffer(key, 'f', 'r', 'p', 'c', 'u', this.#credentialField(credential)),
      this.#redis.exists(this.#goodKey(credential))
    ])
    const [f, r, p, c, u, k] = fields
    if (f == null && r == null && p == null && c == null && k == null && good === 0) return undefined
    return {
      failures: Number(f ?? 0),
      retryAt: Number(r ?? 0),
      pausedUntil: Number(p ?? 0),
      captchaUntil: Number(c ?? 0),
      loginUrl: this.#loginUrl(key, u ?? null),
      credentialRetryAt: Number(k ?? 0),
      credentialGood: good === 1
    }
  }

  async fail (account: string, credential: string, delaysMs: readonly number[], credentialHoldMs: number, now: number): Promise<LoginFailures> {
    const key = this.#key(account)
    const args = [this.#credentialField(credential), Math.round(now), LEDGER_KEEP_MS, Math.round(credentialHoldMs), ...delaysMs.map((d) => Math.round(d))]
    const [failures, retryAt, pausedUntil, captchaUntil, u, credentialRetryAt] = await this.#run('failLogin', [key, this.#goodKey(credential)], args) as [number, number, number, number, Buffer | null, number]
    return { failures, retryAt, pausedUntil, captchaUntil, loginUrl: this.#loginUrl(key, u), credentialRetryAt, credentialGood: false }
  }

  async succeed (account: string, credential: string): Promise<void> {
    await this.#run('succeedLogin', [this.#key(account), this.#goodKey(credential)], [this.#credentialField(credential), GOOD_KEEP_MS])
  }

  async pause (account: string, until: number): Promise<void> {
    await this.#run('holdLogin', [this.#key(account)], ['p', Math.round(until), Date.now(), LEDGER_KEEP_MS])
  }

  async captcha (account: string, until: number, loginUrl: string | undefined): Promise<void> {
    const key = this.#key(account)
    const url = loginUrl === undefined ? [] : [this.#crypto.seal(loginUrl, `${key}#u`)]
    await this.#run('holdLogin', [key], ['c', Math.round(until), Date.now(), LEDGER_KEEP_MS, ...url])
  }

  async resetAll (): Promise<void> {
    const stream = this.#redis.scanStream({ match: this.#keys.pattern(KIND.logins), count: 500 })
    for await (const keys of stream) {
      if ((keys as string[]).length > 0) await this.#redis.unlink(...(keys as string[]))
    }
  }

  #key (account: string): string {
    return this.#keys.key(KIND.logins, account)
  }

  #goodKey (credential: string): string {
    return this.#keys.key(KIND.good, credential)
  }

  /** A credential's field: a digest, so no credential (or hash of one) is kept as it was given. */
  #credentialField (credential: string): string {
    return `k:${this.#crypto.name('credential', credential)}`
  }

  #loginUrl (key: string, sealed: Buffer | null): string | undefined {
    return sealed == null ? undefined : this.#crypto.open(sealed, `${key}#u`)
  }
}

class RedisDeadSessions implements DeadSessions {
  readonly #redis: Redis
  readonly #keys: KeyMaker

  constructor (redis: Redis, keys: KeyMaker) {
    this.#redis = redis
    this.#keys = keys
  }

  async mark (session: string, ttlMs: number): Promise<void> {
    await this.#redis.set(this.#keys.key(KIND.dead, session), '1', 'PX', Math.max(1, Math.ceil(ttlMs)))
  }

  async isDead (session: string): Promise<boolean> {
    return await this.#redis.exists(this.#keys.key(KIND.dead, session)) === 1
  }
}

/**
 * Locks as `SET NX PX` with a random token, released by a compare-and-delete that also announces
 * the release. Waiters are woken by that announcement (one subscriber connection, made on first
 * wait) and look for themselves every `LOCK_POLL_MS` besides, which also catches a lock that
 * expired because its holder died.
 */
class RedisLocks implements Locks {
  readonly #redis: Redis
  readonly #run: ScriptRunner
  readonly #keys: KeyMaker
  readonly #waiters = new Map<string, Set<() => void>>()
  #subscriber: Redis | undefined

  constructor (redis: Redis, run: ScriptRunner, keys: KeyMaker) {
    this.#redis = redis
    this.#run = run
    this.#keys = keys
  }

  async obtain (name: string, ttlMs: number): Promise<HeldLock | undefined> {
    const token = randomUUID()
    const ok = await this.#redis.set(this.#keys.key(KIND.lock, name), token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')
    return ok === 'OK' ? { name, token } : undefined
  }

  async release (lock: HeldLock): Promise<boolean> {
    return await this.#run('releaseLock', [this.#keys.key(KIND.lock, lock.name)], [lock.token, this.#keys.releases]) === 1
  }

  async released (name: string, timeoutMs: number): Promise<boolean> {
    const key = this.#keys.key(KIND.lock, name)
    this.#subscribe()
    const deadline = Date.now() + timeoutMs
    return await new Promise<boolean>((resolve, reject) => {
      const waiters = this.#waiters.get(key) ?? new Set()
      this.#waiters.set(key, waiters)
      let timer: NodeJS.Timeout | undefined
      const finish = (outcome: boolean | Error): void => {
        clearTimeout(timer)
        waiters.delete(wake)
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key)
        if (outcome instanceof Error) reject(outcome)
        else resolve(outcome)
      }
      const wake = (): void => finish(true)
      waiters.add(wake)
      const look = (): void => {
        this.#redis.exists(key).then((held) => {
          if (!waiters.has(wake)) return
          if (held === 0) finish(true)
          else if (Date.now() >= deadline) finish(false)
          else timer = setTimeout(look, Math.min(LOCK_POLL_MS, Math.max(0, deadline - Date.now())))
        }, (err: Error) => { if (waiters.has(wake)) finish(err) })
      }
      look()
    })
  }

  #subscribe (): void {
    if (this.#subscriber !== undefined) return
    const subscriber = this.#redis.duplicate({ enableOfflineQueue: true, lazyConnect: false })
    this.#subscriber = subscriber
    // Its failures show on the main connection too; waiters still poll meanwhile.
    subscriber.on('error', () => {})
    subscriber.on('message', (_channel: string, key: string) => {
      for (const wake of this.#waiters.get(key) ?? []) wake()
    })
    subscriber.subscribe(this.#keys.releases).catch(() => {})
  }

  async close (): Promise<void> {
    this.#subscriber?.disconnect()
  }
}

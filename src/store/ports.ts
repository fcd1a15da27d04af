import { hash } from 'node:crypto'

/**
 * What replicas share, as narrow ports: records replaced whole under a generation check, the
 * login-failure ledger, the dead-session memory and locks. The token lifecycle talks to these and
 * never learns which store answers (memory.ts in one process, redis.ts across replicas).
 */

/**
 * The answer of a store that could not answer in time (down, slow, flapping): the caller goes on
 * from what it holds itself. It never means "absent", so nothing is ever deleted because of it.
 */
export const UNKNOWN: unique symbol = Symbol('store answer unknown')
export type Unknown = typeof UNKNOWN
/** A store's answer, or UNKNOWN. */
export type Answer<T> = T | Unknown

/** A stored record and its generation: 1 when first stored, one more at each replacement. */
export interface Versioned<T> {
  value: T
  generation: number
}

/** The outcome of a compare-and-set: the new generation, or what is stored instead. */
export type Swap<T> =
  | { swapped: true, generation: number }
  | { swapped: false, current: Versioned<T> | undefined }

/**
 * Records that are replaced whole, each guarded by its generation, so a replica that read
 * generation 3 can replace it only while it is still 3: it never overwrites what another replica
 * stored meanwhile (a token already refreshed, a newer session). Values are taken as they are
 * and must not be changed after being handed over.
 */
export interface VersionedRecords<T> {
  load (key: string): Promise<Answer<Versioned<T> | undefined>>
  /** Stores `value` as the next generation if the stored one is `expected` (0: none); kept for `ttlMs`. */
  replace (key: string, expected: number, value: T, ttlMs: number): Promise<Answer<Swap<T>>>
  /** Deletes the record if its generation is still `expected`; whether it did. */
  remove (key: string, expected: number): Promise<Answer<boolean>>
}

/** One app's token pair for one identity, as replicas share it. Times are epoch milliseconds. */
export interface TokenPairRecord {
  authentication: string
  refresh: string | undefined
  /** When BigPicture stops accepting `authentication` (local clock, Jira's skew corrected). */
  authExpiresAt: number
  /** When `refresh` stops working; 0 without one. */
  refreshExpiresAt: number
  /** When the pair was issued (local clock): a replica picking it up refreshes it when its issuer would. */
  issuedAt: number
  /**
   * When the refresh that produced the pair started (local clock). A replica that heard of a
   * refusal takes a stored pair for it only if this is later: only then was it issued after
   * whatever caused the refusal. Absent: never taken for a refusal.
   */
  requestedAt?: number
  /**
   * Set when the refresh answered a refusal: a digest of the refused token. The refusal was heard
   * after whatever killed that token, so the pair was requested after it too.
   */
  answers?: string
}

/** A Jira cookie jar of a proxy-made session, serialised (tough-cookie's `serialize()`). */
export type SerializedJar = Record<string, unknown>

/** What the ledger knows of one Jira account's logins, and of one credential. Times are epoch ms. */
export interface LoginFailures {
  /** Consecutive failed logins of the account, by any credential. */
  failures: number
  /** Credentials not known to be good wait until this (the failures' backoff). */
  retryAt: number
  /** Every credential waits until this (Jira did not judge the last login: a wrong JIRA_URL). */
  pausedUntil: number
  /** Jira demanded a CAPTCHA: no login before this. */
  captchaUntil: number
  /** The login page Jira named with its CAPTCHA demand. */
  loginUrl: string | undefined
  /** The credential asked about failed and is held until this; 0 if it has not failed. */
  credentialRetryAt: number
  /** The credential asked about has logged in, and has not failed since. */
  credentialGood: boolean
}

/**
 * Logins per Jira account, shared by replicas: failures counted atomically (two replicas failing
 * at the same moment count two), the holds they lead to, and which credentials are known good.
 * Accounts and credentials (hashes) are opaque strings to the store.
 */
export interface LoginFailureLedger {
  /** `undefined` when nothing is known of the account. */
  read (account: string, credential: string): Promise<Answer<LoginFailures | undefined>>
  /**
   * Counts one more failure, by `credential`, at `now`: the account waits `delaysMs[failures - 1]`
   * (the last delay for every failure beyond the list), the credential `credentialHoldMs`, and it
   * is no longer known good.
   */
  fail (account: string, credential: string, delaysMs: readonly number[], credentialHoldMs: number, now: number): Promise<Answer<LoginFailures>>
  /** A login that worked: the account's failures and holds go, the credential is known good. */
  succeed (account: string, credential: string): Promise<Answer<void>>
  /** No login of the account before `until`, whatever the credential (a login Jira did not judge). */
  pause (account: string, until: number): Promise<Answer<void>>
  /** Jira demands a CAPTCHA for the account: no login before `until`. */
  captcha (account: string, until: number, loginUrl: string | undefined): Promise<Answer<void>>
  /** The operator fixed the accounts: every failure, hold and CAPTCHA demand is forgotten. */
  resetAll (): Promise<Answer<void>>
}

/** Jira sessions of callers found dead, remembered for a while so junk cookies stay cheap. */
export interface DeadSessions {
  mark (session: string, ttlMs: number): Promise<Answer<void>>
  isDead (session: string): Promise<Answer<boolean>>
}

/** A lock held: its name and the token that proves who holds it. */
export interface HeldLock {
  readonly name: string
  readonly token: string
}

/**
 * Single flight across replicas. A lock expires by itself after its ttl, so a crashed holder
 * blocks the others no longer than that; only its holder releases it. Whoever finds it taken
 * waits for `released` and then reads what the holder stored, instead of doing the work again.
 */
export interface Locks {
  /** Takes `name` for `ttlMs`; `undefined` when someone else holds it. */
  obtain (name: string, ttlMs: number): Promise<Answer<HeldLock | undefined>>
  /** Releases the lock if it is still this holder's; whether it was. */
  release (lock: HeldLock): Promise<Answer<boolean>>
  /** Resolves `true` once `name` is free (released or expired), `false` after `timeoutMs`. */
  released (name: string, timeoutMs: number): Promise<Answer<boolean>>
}

/** Everything replicas share, and the store's own life. */
export interface SharedStore {
  /** Token pairs, by identity key and app (see `tokenRecordKey`). */
  readonly tokens: VersionedRecords<TokenPairRecord>
  /** Cookie jars of proxy-made Jira sessions, by identity key. */
  readonly jars: VersionedRecords<SerializedJar>
  readonly logins: LoginFailureLedger
  readonly deadSessions: DeadSessions
  readonly locks: Locks
  /** The server's version when it answers. */
  ping (): Promise<Answer<string>>
  close (): Promise<void>
}

/** A refused token as a record names it: a digest, so the record holds no second token. */
export function tokenDigest (token: string): string {
  return hash('sha256', token, 'base64url').slice(0, 22)
}

/** The key of one app's token pair for one identity. */
export function tokenRecordKey (identityKey: string, app: string): string {
  return `${identityKey}\n${app}`
}

/** How long the `failures`-th failure holds an account: the last delay for any beyond the list. */
export function delayFor (delaysMs: readonly number[], failures: number): number {
  return delaysMs[Math.min(failures, delaysMs.length) - 1] ?? 0
}

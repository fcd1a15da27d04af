import { LRUCache } from 'lru-cache'
import { hasToken, packTokens, type PackedPair, unpackToken } from './pack.js'
import type { JiraSession } from './session.js'

/**
 * How many token slots keep their authentication token as text, ready for the next request. The
 * others hold it packed (pack.ts) and unpack it on their next use, once, which puts them back
 * among these. Process-wide, shared by every store: it bounds the unpacked copies, nothing else.
 */
const HOT_SLOTS = 1024
const hot = new Array<AppTokens | undefined>(HOT_SLOTS)
let hotNext = 0

/**
 * A slot's times are whole ticks of 1/64 s from when this module loaded: small integers, which V8
 * keeps inside the object, where a millisecond timestamp is a number object of its own (16 bytes,
 * three a slot). Rounded down, so a token is refreshed, or given up, at most 16 ms early. Ticks
 * stay small for 388 days either side of the start; beyond that they still work, only boxed.
 */
const TICK_MS = 1000 / 64
const EPOCH = Date.now()
/** "Long ago" (194 days before the start), still a small integer: what 0 ms and below become. */
const LONG_AGO = -(2 ** 30)
const toTicks = (ms: number): number => ms <= 0 ? LONG_AGO : Math.floor((ms - EPOCH) / TICK_MS)
const fromTicks = (ticks: number): number => EPOCH + ticks * TICK_MS

const EMPTY_PAIR = packTokens(undefined, undefined)

/** First contacts waiting for their answer at once, at most (see `TokenStore`). */
const NEWCOMERS = 4096

/** What a slot needs only while a refresh flies, or after BigPicture refused one of its tokens. */
class RefreshState {
  flight: Promise<string | undefined> | undefined = undefined
  flightSeq = 0
  refusedToken: string | undefined = undefined
  refusedSeq = 0
  refusedAt = 0
  refusedSentAt = 0
}

/**
 * One app's token pair for one identity. Mutated in place so waiters see the newest values. The
 * tokens are most of what an identity costs, so both are held in one packed string, a quarter
 * smaller than their text, and only the slots in use keep a text copy (see `HOT_SLOTS`).
 */
export class AppTokens {
  #packed: PackedPair = EMPTY_PAIR
  #text: string | undefined = undefined
  #authExpiresAt = LONG_AGO
  #refreshAt = LONG_AGO
  #refreshExpiresAt = LONG_AGO
  /**
   * When the refresh that fetched `authentication` started, as a step of the manager's sequence:
   * Jira issued the token after every event numbered lower (see `TokenManager`).
   */
  issuedSeq = 0
  #state: RefreshState | undefined = undefined

  get authentication (): string | undefined {
    if (this.#text !== undefined) return this.#text
    const text = unpackToken(this.#packed, 0)
    return text === undefined ? undefined : AppTokens.#keepText(this, text)
  }

  set authentication (token: string | undefined) {
    this.#packed = packTokens(token, unpackToken(this.#packed, 1))
    // A slot in use keeps serving text. A new identity's token is not kept as text before its
    // second request: most first contacts of a flood never make one, and a text that outlives a
    // few young-generation collections only to be dropped leaves holes among the long-lived
    // entries of the old generation.
    if (this.#text !== undefined) this.#text = token
  }

  get hasAuthentication (): boolean {
    return hasToken(this.#packed, 0)
  }

  get refresh (): string | undefined {
    return unpackToken(this.#packed, 1)
  }

  set refresh (token: string | undefined) {
    this.#packed = packTokens(this.#text ?? unpackToken(this.#packed, 0), token)
  }

  get hasRefresh (): boolean {
    return hasToken(this.#packed, 1)
  }

  /** Both tokens at once (one packing); a refresh token of `undefined` keeps the one there is. */
  setTokens (authentication: string, refresh: string | undefined): void {
    this.#packed = packTokens(authentication, refresh ?? unpackToken(this.#packed, 1))
    if (this.#text !== undefined) this.#text = authentication
  }

  /** Local time (ms) at which BigPicture stops accepting `authentication`. */
  get authExpiresAt (): number { return fromTicks(this.#authExpiresAt) }
  set authExpiresAt (ms: number) { this.#authExpiresAt = toTicks(ms) }
  /** Local time (ms) from which the token is refreshed before use; 0: at once. */
  get refreshAt (): number { return fromTicks(this.#refreshAt) }
  set refreshAt (ms: number) { this.#refreshAt = toTicks(ms) }
  get refreshExpiresAt (): number { return fromTicks(this.#refreshExpiresAt) }
  set refreshExpiresAt (ms: number) { this.#refreshExpiresAt = toTicks(ms) }

  /** The refresh in flight, shared by every request that needs it (single flight). */
  get flight (): Promise<string | undefined> | undefined { return this.#state?.flight }
  /** When `flight` started, on the manager's sequence. */
  get flightSeq (): number { return this.#state?.flightSeq ?? 0 }

  startFlight (flight: Promise<string | undefined>, seq: number): void {
    const state = (this.#state ??= new RefreshState())
    state.flight = flight
    state.flightSeq = seq
  }

  /** The flight landed; its state goes too unless the slot remembers a refusal. */
  endFlight (flight: Promise<string | undefined>): void {
    const state = this.#state
    if (state === undefined || state.flight !== flight) return
    state.flight = undefined
    if (state.refusedSeq === 0) this.#state = undefined
  }

  /** The last token BigPicture refused, and the step at which the proxy first heard of it. */
  get refusedToken (): string | undefined { return this.#state?.refusedToken }
  get refusedSeq (): number { return this.#state?.refusedSeq ?? 0 }
  /** When (wall clock, ms) the proxy first heard of that refusal; 0 if it has heard of none. */
  get refusedAt (): number { return this.#state?.refusedAt ?? 0 }
  /** When the earliest request refused with that token arrived (wall clock, ms; it was sent right after). */
  get refusedSentAt (): number { return this.#state?.refusedSentAt ?? 0 }

  refused (token: string | undefined, seq: number, at: number, sentAt: number): void {
    const state = (this.#state ??= new RefreshState())
    state.refusedToken = token
    state.refusedSeq = seq
    state.refusedAt = at
    state.refusedSentAt = sentAt
  }

  /** Another request sent with the refused token was refused too. */
  alsoRefused (sentAt: number): void {
    const state = this.#state
    if (state !== undefined && sentAt < state.refusedSentAt) state.refusedSentAt = sentAt
  }

  // Static: a private method of the instances would cost each of them a field (V8's class brand).
  static #keepText (slot: AppTokens, text: string): string {
    const oldest = hot[hotNext]
    if (oldest !== undefined) oldest.#text = undefined
    hot[hotNext] = slot
    hotNext = (hotNext + 1) % HOT_SLOTS
    slot.#text = text
    return text
  }
}


/**
 * Everything the proxy holds for one identity. Most identities use one app, so the entry is that
 * app's slot itself (the first app asked for): one object instead of two, a reference and an
 * object header less an identity. Other apps' slots and the Jira session are made when needed.
 */
export class IdentityTokens extends AppTokens {
  /** The app the entry's own slot serves; -1 until one is asked for. */
  #ownApp = -1
  /** The other apps' slots, by their position in `BIGPICTURE_APPS`. */
  #others: Array<AppTokens | undefined> | undefined = undefined
  /** The proxy's own Jira session, for identities it logs in for (never a caller's cookies). */
  session: JiraSession | undefined = undefined

  /** The slot of the app at this position in `BIGPICTURE_APPS`, if it has one. */
  app (index: number): AppTokens | undefined {
    return index === this.#ownApp ? this : this.#others?.[index]
  }

  /** The app's slot, made on first use. */
  slot (index: number): AppTokens {
    if (index === this.#ownApp) return this
    if (this.#ownApp === -1) {
      this.#ownApp = index
      return this
    }
    const others = (this.#others ??= [])
    return (others[index] ??= new AppTokens())
  }

  /** Whether any slot there is satisfies `test`. */
  someApp (test: (t: AppTokens) => boolean): boolean {
    if (this.#ownApp !== -1 && test(this)) return true
    return this.#others?.some((t) => t !== undefined && test(t)) ?? false
  }
}

/**
 * The cache of identities, bounded by `IDENTITY_CACHE_MAX` (least recently used leave first). Keys
 * are credential hashes. The service identity lives outside the LRU: a flood of callers must never
 * evict the account the proxy logs in with. A first contact waits among the newcomers until it
 * holds a token or a session: made-up credentials, refused by Jira or by the first-contact limit,
 * never enter the cache, so they cannot push live identities out of it.
 */
export class TokenStore {
  readonly #lru: LRUCache<string, IdentityTokens>
  /**
   * First contacts still being asked about, emptied as they settle. They are as many as first
   * contacts in flight (rate-limited), so a small bound does; the cache's own would cost its size
   * again in memory.
   */
  readonly #newcomers: LRUCache<string, IdentityTokens>
  readonly #service = new IdentityTokens()

  constructor (max: number) {
    this.#lru = new LRUCache({ max })
    this.#newcomers = new LRUCache({ max: Math.min(max, NEWCOMERS) })
  }

  get (key: string): IdentityTokens {
    if (key === 'service') return this.#service
    const entry = this.#lru.get(key)
    if (entry !== undefined) return entry
    const newcomer = this.#newcomers.get(key)
    if (newcomer === undefined) {
      const fresh = new IdentityTokens()
      this.#newcomers.set(ownCopy(key), fresh)
      return fresh
    }
    if (holdsSomething(newcomer)) this.#admit(key, newcomer)
    return newcomer
  }

  /** Looks without creating or refreshing recency. */
  peek (key: string): IdentityTokens | undefined {
    return key === 'service' ? this.#service : this.#lru.peek(key) ?? this.#newcomers.peek(key)
  }

  /**
   * After an identity's tokens or session were asked for or changed: a newcomer that now holds
   * something joins the cache, and an entry that holds nothing (a refused first contact, a caller's
   * session Jira no longer knows) leaves, unless something is still under way for it (`busy`: a
   * login; a token refresh is seen here).
   */
  settle (key: string, busy = false): void {
    const newcomer = this.#newcomers.peek(key)
    if (newcomer !== undefined) {
      if (holdsSomething(newcomer)) this.#admit(key, newcomer)
      else if (!busy && !refreshing(newcomer)) this.#newcomers.delete(key)
      return
    }
    const entry = this.#lru.peek(key)
    if (entry !== undefined && !busy && !holdsSomething(entry) && !refreshing(entry)) this.#lru.delete(key)
  }

  /** Identities in the cache (newcomers not counted: they hold nothing yet). */
  get size (): number {
    return this.#lru.size
  }

  #admit (key: string, entry: IdentityTokens): void {
    this.#newcomers.delete(key)
    this.#lru.set(ownCopy(key), entry)
  }
}

function holdsSomething (entry: IdentityTokens): boolean {
  return entry.session !== undefined || entry.someApp((t) => t.hasAuthentication || t.hasRefresh)
}

function refreshing (entry: IdentityTokens): boolean {
  return entry.someApp((t) => t.flight !== undefined)
}

/**
 * A key as a string of its own. Keys are cut from a longer digest text (identity/hash.ts), and a
 * cut string keeps the whole text alive: 56 bytes more for every cached identity. Copying once,
 * when an identity is first cached, is cheaper than encoding a shorter digest on every request.
 */
function ownCopy (key: string): string {
  return Buffer.from(key, 'latin1').toString('latin1')
}

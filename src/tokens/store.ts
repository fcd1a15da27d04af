import { LRUCache } from 'lru-cache'
import { packToken, unpackToken } from './pack.js'

/**
 * How many token slots keep their authentication token as text, ready for the next request. The
 * others hold it packed (pack.ts) and unpack it on their next use, once, which puts them back
 * among these. Process-wide, shared by every store: it bounds the unpacked copies, nothing else.
 */
const HOT_SLOTS = 1024
const hot = new Array<AppTokens | undefined>(HOT_SLOTS)
let hotNext = 0

/**
 * One app's token pair for one identity. Mutated in place so waiters see the newest values. The
 * tokens are most of what an identity costs, so they are held packed, a quarter smaller, and only
 * the slots in use keep a text copy (see `HOT_SLOTS`).
 */
export class AppTokens {
  #auth: string | undefined = undefined
  #text: string | undefined = undefined
  #refresh: string | undefined = undefined
  /** Local time (ms) at which BigPicture stops accepting `authentication`. */
  authExpiresAt = 0
  /** Local time (ms) from which the token is refreshed before use. */
  refreshAt = 0
  refreshExpiresAt = 0
  /**
   * When the refresh that fetched `authentication` started, as a step of the manager's sequence:
   * Jira issued the token after every event numbered lower (see `TokenManager`).
   */
  issuedSeq = 0
  /** The refresh in flight, shared by every request that needs it (single flight). */
  flight: Promise<string | undefined> | undefined = undefined
  /** When `flight` started, on the same sequence. */
  flightSeq = 0
  /** The last token BigPicture refused, and the step at which the proxy first heard of it. */
  refusedToken: string | undefined = undefined
  refusedSeq = 0

  get authentication (): string | undefined {
    if (this.#text !== undefined || this.#auth === undefined) return this.#text
    return this.#keepText(unpackToken(this.#auth))
  }

  set authentication (token: string | undefined) {
    this.#auth = token === undefined ? undefined : packToken(token)
    // A slot in use keeps serving text. A new identity's token is not kept as text before its
    // second request: most first contacts of a flood never make one, and a text that outlives a
    // few young-generation collections only to be dropped leaves holes among the long-lived
    // entries of the old generation.
    if (this.#text !== undefined) this.#text = token
  }

  get hasAuthentication (): boolean {
    return this.#auth !== undefined
  }

  get refresh (): string | undefined {
    return this.#refresh === undefined ? undefined : unpackToken(this.#refresh)
  }

  set refresh (token: string | undefined) {
    this.#refresh = token === undefined ? undefined : packToken(token)
  }

  get hasRefresh (): boolean {
    return this.#refresh !== undefined
  }

  #keepText (text: string): string {
    const oldest = hot[hotNext]
    if (oldest !== undefined) oldest.#text = undefined
    hot[hotNext] = this
    hotNext = (hotNext + 1) % HOT_SLOTS
    this.#text = text
    return text
  }
}

/** Everything the proxy holds for one identity. */
export interface IdentityTokens {
  /** The proxy's own Jira session for identities it logs in for (never a caller's cookie). */
  sessionId: string | undefined
  sessionFlight: Promise<string> | undefined
  /** Indexed by the app's position in `BIGPICTURE_APPS`. */
  apps: Array<AppTokens | undefined>
}

/**
 * The cache of identities, bounded by `IDENTITY_CACHE_MAX` (least recently used leave first). Keys
 * are credential hashes. The service identity lives outside the LRU: a flood of callers must never
 * evict the account the proxy logs in with.
 */
export class TokenStore {
  readonly #lru: LRUCache<string, IdentityTokens>
  readonly #apps: number
  readonly #service: IdentityTokens

  /** `apps`: how many BigPicture apps there are, so each entry's slots are sized exactly. */
  constructor (max: number, apps = 3) {
    this.#lru = new LRUCache({ max })
    this.#apps = apps
    this.#service = emptyIdentity(apps)
  }

  get (key: string): IdentityTokens {
    if (key === 'service') return this.#service
    let entry = this.#lru.get(key)
    if (entry === undefined) {
      entry = emptyIdentity(this.#apps)
      this.#lru.set(ownCopy(key), entry)
    }
    return entry
  }

  /** Looks without creating or refreshing recency. */
  peek (key: string): IdentityTokens | undefined {
    return key === 'service' ? this.#service : this.#lru.peek(key)
  }

  /**
   * Drops an entry that holds nothing yet (a refused first contact), so refusals cannot push
   * real identities out of the cache.
   */
  forgetIfEmpty (key: string): void {
    const entry = this.#lru.peek(key)
    if (entry === undefined || entry.sessionId !== undefined || entry.sessionFlight !== undefined) return
    if (entry.apps.some((t) => t !== undefined && (t.hasAuthentication || t.hasRefresh || t.flight !== undefined))) return
    this.#lru.delete(key)
  }

  get size (): number {
    return this.#lru.size
  }
}

/**
 * A key as a string of its own. Keys are cut from a longer digest text (identity/hash.ts), and a
 * cut string keeps the whole text alive: 56 bytes more for every cached identity. Copying once,
 * when an identity is first cached, is cheaper than encoding a shorter digest on every request.
 */
function ownCopy (key: string): string {
  return Buffer.from(key, 'latin1').toString('latin1')
}

function emptyIdentity (apps: number): IdentityTokens {
  // A holey array of exactly `apps` slots: growing `[]` on first write would reserve 17.
  return { sessionId: undefined, sessionFlight: undefined, apps: new Array<AppTokens | undefined>(apps) }
}

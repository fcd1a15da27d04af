import { LRUCache } from 'lru-cache'

/** One app's token pair for one identity. Mutated in place so waiters see the newest values. */
export interface AppTokens {
  authentication: string | undefined
  /** Local time (ms) at which BigPicture stops accepting `authentication`. */
  authExpiresAt: number
  /** Local time (ms) from which the token is refreshed before use. */
  refreshAt: number
  refresh: string | undefined
  refreshExpiresAt: number
  /**
   * When the refresh that fetched `authentication` started, as a step of the manager's sequence:
   * Jira issued the token after every event numbered lower (see `TokenManager`).
   */
  issuedSeq: number
  /** The refresh in flight, shared by every request that needs it (single flight). */
  flight: Promise<string | undefined> | undefined
  /** When `flight` started, on the same sequence. */
  flightSeq: number
  /** The last token BigPicture refused, and the step at which the proxy first heard of it. */
  refusedToken: string | undefined
  refusedSeq: number
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
      this.#lru.set(key, entry)
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
    if (entry.apps.some((t) => t !== undefined && (t.authentication !== undefined || t.refresh !== undefined || t.flight !== undefined))) return
    this.#lru.delete(key)
  }

  get size (): number {
    return this.#lru.size
  }
}

function emptyIdentity (apps: number): IdentityTokens {
  // A holey array of exactly `apps` slots: growing `[]` on first write would reserve 17.
  return { sessionId: undefined, sessionFlight: undefined, apps: new Array<AppTokens | undefined>(apps) }
}

export function emptyAppTokens (): AppTokens {
  return { authentication: undefined, authExpiresAt: 0, refreshAt: 0, refresh: undefined, refreshExpiresAt: 0, issuedSeq: 0, flight: undefined, flightSeq: 0, refusedToken: undefined, refusedSeq: 0 }
}

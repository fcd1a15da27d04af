import { LRUCache } from 'lru-cache'
import { credentialKey } from './hash.js'

/**
 * How many Jira sessions keep their cache key at hand. Covers the active callers of a team gateway
 * many times over while costing a fraction of a megabyte.
 */
export const SESSION_KEYS_MAX = 1024

/**
 * The cache keys of the Jira sessions seen most recently, process-wide. Hashing a session id was
 * the largest cost of resolving an identity; callers present the same cookie again and again, but
 * not always on the same connection: a balancer or a pooling client in front carries many callers'
 * cookies over each of its connections in turn. Bounded, least recently used out first.
 * Passwords and personal access tokens never come here: the proxy keeps them no longer than the
 * request that carries them.
 */
export class SessionKeys {
  readonly #keys: LRUCache<string, string>
  readonly #hash: (sessionId: string) => string

  constructor (max = SESSION_KEYS_MAX, hash: (sessionId: string) => string = (id) => credentialKey('cookie', id)) {
    this.#keys = new LRUCache({ max })
    this.#hash = hash
  }

  /** The cache key of a Jira session id, hashed on first sight. */
  keyOf (sessionId: string): string {
    const known = this.#keys.get(sessionId)
    if (known !== undefined) return known
    const key = this.#hash(sessionId)
    // A copy of its own: the id is cut from the Cookie header and would keep all of it alive
    // (other cookies included). Session ids are printable ASCII (tokens/session.ts), so Latin-1
    // gives them back exactly.
    this.#keys.set(Buffer.from(sessionId, 'latin1').toString('latin1'), key)
    return key
  }

  /** Sessions remembered now. */
  get size (): number {
    return this.#keys.size
  }
}

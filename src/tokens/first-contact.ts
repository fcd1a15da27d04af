import { isIPv6 } from 'node:net'
import { LRUCache } from 'lru-cache'
import { ProxyError } from '../errors.js'
import { TokenBucket } from './rate-limit.js'

/** Client addresses whose own bucket is remembered; beyond that the oldest start afresh. */
const ADDRESSES = 10_000
/** One address may take this share of the global rate, so one source cannot starve the others. */
const ADDRESS_SHARE = 4

/**
 * Bounds what never-seen credentials cost Jira: each first contact (a `system/auth` call for an
 * unknown cookie, a login for a password or PAT not known to be good) is one Jira call, so they
 * are limited per second, globally and per client address. A flood from one address takes at
 * most a quarter of the global rate, leaving the rest to everyone else.
 */
export class FirstContactLimiter {
  readonly #global: TokenBucket
  readonly #perAddress: LRUCache<string, TokenBucket>
  readonly #rate: number
  readonly #burst: number
  readonly #now: () => number

  constructor (perSecond: number, burst: number, now: () => number = Date.now) {
    this.#global = new TokenBucket(perSecond, burst, now)
    this.#rate = perSecond / ADDRESS_SHARE
    this.#burst = Math.max(1, Math.floor(burst / ADDRESS_SHARE))
    this.#now = now
    this.#perAddress = new LRUCache({ max: ADDRESSES })
  }

  /** Takes a first contact for this client, or throws LOGIN_BACKOFF (503 with Retry-After). */
  admit (address: string | undefined): void {
    const key = addressKey(address)
    let bucket = this.#perAddress.get(key)
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#rate, this.#burst, this.#now)
      this.#perAddress.set(key, bucket)
    }
    if (bucket.take() && this.#global.take()) return
    throw new ProxyError('LOGIN_BACKOFF', 'Too many new Jira sessions at once; retry in a moment.', { headers: { 'retry-after': '1' } })
  }
}

/**
 * The unit one client controls: an IPv4 address, or an IPv6 /64 (a single host is commonly given
 * a whole /64, and could otherwise pick a fresh address for every request).
 */
export function addressKey (address: string | undefined): string {
  if (address === undefined) return ''
  if (address.startsWith('::ffff:') && !isIPv6(address.slice(7))) return address.slice(7)
  if (!isIPv6(address)) return address
  const [head = '', tail = ''] = address.split('::')
  const front = head === '' ? [] : head.split(':')
  const back = tail === '' ? [] : tail.split(':')
  const groups = address.includes('::') ? [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back] : front
  return groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':') + '::/64'
}

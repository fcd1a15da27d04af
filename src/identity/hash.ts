import { createHash } from 'node:crypto'

/**
 * A cache key for a credential: a truncated SHA-256 over a kind prefix and the value, so a cookie
 * and a password that happen to be equal never share an entry, and the credential itself is never
 * stored or logged. 128 bits are plenty against collisions.
 */
export function credentialKey (kind: string, value: string): string {
  return createHash('sha256').update(kind).update('\0').update(value).digest('base64url').slice(0, 22)
}

/** A short form of a key for log lines: enough to tell identities apart, useless to an attacker. */
export function shortKey (key: string): string {
  return key.slice(0, 8)
}

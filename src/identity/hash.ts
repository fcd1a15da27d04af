import { hash, randomBytes } from 'node:crypto'

/**
 * A secret of this process, mixed into every credential hash. The hashes are cache keys and log
 * labels; without the secret, a log reader could test guessed passwords against a logged label.
 */
const PEPPER = randomBytes(24).toString('base64')

/**
 * A cache key for a credential: a truncated SHA-256 over the process secret, a kind prefix and the
 * value, so a cookie and a password that happen to be equal never share an entry, and the
 * credential itself is never stored or logged. 128 bits are plenty against collisions. One-shot
 * `crypto.hash` because this runs on every request.
 */
export function credentialKey (kind: string, value: string): string {
  return hash('sha256', `${PEPPER}${kind}\0${value}`, 'base64url').slice(0, 22)
}

/** A short form of a key for log lines: enough to tell identities apart, useless to an attacker. */
export function shortKey (key: string): string {
  return key.slice(0, 8)
}

/** How an identity appears in logs: its kind and a short hash, never the credential. */
export function label (identity: { kind: string, key: string }): string {
  return `${identity.kind}:${shortKey(identity.key)}`
}

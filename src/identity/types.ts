import type { ServiceCredentials } from '../config.js'

/**
 * Whose tokens a request uses. `key` is a hash of the credential and is the
 * only thing caches and logs ever see.
 */
export type Identity =
  /** The caller already speaks BigPicture (raw JWT or `APIToken`): forward untouched. */
  | { kind: 'passthrough' }
  /**
   * The caller's own Jira session: `cookies` is its whole Cookie header (a cluster's affinity
   * cookie included), `key` a hash of the session id alone, so a balancer's changing cookies never
   * split one session into several identities.
   */
  | { kind: 'cookie', key: string, cookies: string }
  /** Basic credentials: the proxy logs in once and reuses that session. */
  | { kind: 'password', key: string, username: string, password: string }
  /** A personal access token: the proxy gets one session for it and reuses it. */
  | { kind: 'pat', key: string, token: string }
  /** No credentials, and the caller may use the proxy's own account. */
  | { kind: 'service', key: string, credentials: ServiceCredentials }
  /**
   * Nothing to inject: Jira's own answer reaches the caller. `serviceRefused` says a service
   * identity exists but this caller may not use it (a BigPicture route then answers 403).
   */
  | { kind: 'none', serviceRefused: boolean }

/** Identities the proxy can log in for by itself when their session dies. */
export type CredentialIdentity = Extract<Identity, { kind: 'password' | 'pat' | 'service' }>
export type TokenIdentity = Extract<Identity, { key: string }>

export function hasCredentials (identity: Identity): identity is CredentialIdentity {
  return identity.kind === 'password' || identity.kind === 'pat' || identity.kind === 'service'
}

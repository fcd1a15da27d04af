import { createHash, timingSafeEqual } from 'node:crypto'
import type { ServiceCredentials } from '../config.js'
import type { Identity } from './types.js'

type ServiceIdentity = Extract<Identity, { kind: 'service' }>

/**
 * Who may use the service identity, and with which credentials: the proxy API keys (held as
 * digests only) and the service account's password or PAT. One holder the identity resolver reads
 * on every request, so SIGHUP can rotate a secret without rebuilding anything else.
 */
export class ServiceAccess {
  #identity: ServiceIdentity | undefined
  #digests: Buffer[] = []

  constructor (service: ServiceCredentials | undefined, apiKeys: string[]) {
    this.setCredentials(service)
    this.setApiKeys(apiKeys)
  }

  /** The identity of callers that may use the service account; `undefined` when none is configured. */
  get identity (): ServiceIdentity | undefined {
    return this.#identity
  }

  /**
   * New credentials for the next login. The key stays `service`, so the live Jira session and its
   * tokens are kept: the new password or PAT is used when that session has to be replaced.
   */
  setCredentials (service: ServiceCredentials | undefined): void {
    this.#identity = service === undefined ? undefined : { kind: 'service', key: 'service', credentials: service }
  }

  /** Replaces the accepted keys; a key no longer listed is refused from the next request on. */
  setApiKeys (apiKeys: string[]): void {
    this.#digests = apiKeys.map(digest)
  }

  /** Constant-time: the presented key is hashed and compared with every configured digest. */
  keyMatches (presented: string | string[]): boolean {
    if (typeof presented !== 'string') return false
    const candidate = digest(presented)
    let match = false
    for (const d of this.#digests) match = timingSafeEqual(d, candidate) || match
    return match
  }
}

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

import type { Server as TlsServer } from 'node:tls'
import { type Config, type ServiceCredentials, readSecretFile, splitList, tooShort } from '../config.js'
import type { ServiceAccess } from '../identity/access.js'
import { type ListenerTlsMaterial, readListenerTls, secureContextOptions } from './tls.js'

/** Secrets read again from their files; a field is present only when it changed and is valid. */
export interface SecretUpdate {
  service?: ServiceCredentials
  apiKeys?: string[]
  tls?: ListenerTlsMaterial
}

/** One re-read: what to apply, the variables that changed, and why others kept their old value. */
export interface Reread {
  update: SecretUpdate
  changed: string[]
  problems: string[]
}

/**
 * The secrets given as files (JIRA_PASSWORD_FILE, JIRA_PAT_FILE, PROXY_API_KEYS_FILE) and the
 * listener's TLS files, as SIGHUP re-reads them. It remembers what is in use, so each re-read says
 * what changed; a file that became unreadable or invalid keeps the value in use, with the reason.
 * Secrets given directly in the environment cannot change while the process runs.
 */
export class SecretFiles {
  readonly #config: Config
  #service: ServiceCredentials | undefined
  #apiKeys: string[]
  #tls: ListenerTlsMaterial | undefined

  constructor (config: Config) {
    this.#config = config
    this.#service = config.service
    this.#apiKeys = config.proxyApiKeys
    this.#tls = config.listenerTls?.material
  }

  /** Reads every file again; what it returns as `update` is from then on the value in use. */
  reread (): Reread {
    const result: Reread = { update: {}, changed: [], problems: [] }
    this.#rereadService(result)
    this.#rereadApiKeys(result)
    this.#rereadTls(result)
    return result
  }

  #rereadService (result: Reread): void {
    const service = this.#service
    const name = service?.kind === 'password' ? 'JIRA_PASSWORD' : 'JIRA_PAT'
    const file = this.#config.secretFiles[name]
    if (service === undefined || file === undefined) return
    const read = readSecretFile(name, file)
    if ('problem' in read) {
      result.problems.push(read.problem)
      return
    }
    const current = service.kind === 'password' ? service.password : service.token
    if (read.value === current) return
    this.#service = service.kind === 'password' ? { ...service, password: read.value } : { kind: 'pat', token: read.value }
    result.update.service = this.#service
    result.changed.push(`${name}_FILE`)
  }

  #rereadApiKeys (result: Reread): void {
    const file = this.#config.secretFiles.PROXY_API_KEYS
    if (file === undefined) return
    const read = readSecretFile('PROXY_API_KEYS', file)
    const keys = 'value' in read ? splitList(read.value) : []
    const problem = 'problem' in read
      ? read.problem
      : keys.length === 0
        ? `PROXY_API_KEYS_FILE: ${file} lists no key`
        : keys.some(tooShort) ? 'PROXY_API_KEYS_FILE: every key must be at least 16 characters long' : undefined
    if (problem !== undefined) {
      result.problems.push(problem)
      return
    }
    if (keys.join('\n') === this.#apiKeys.join('\n')) return
    this.#apiKeys = keys
    result.update.apiKeys = keys
    result.changed.push('PROXY_API_KEYS_FILE')
  }

  #rereadTls (result: Reread): void {
    const files = this.#config.listenerTls?.files
    const current = this.#tls
    if (files === undefined || current === undefined) return
    const read = readListenerTls(files)
    if ('problems' in read) {
      result.problems.push(...read.problems)
      return
    }
    const next = read.material
    const changed = [
      next.cert !== current.cert ? 'TLS_CERT_FILE' : undefined,
      next.key !== current.key ? 'TLS_KEY_FILE' : undefined,
      next.clientCa !== current.clientCa ? 'TLS_CLIENT_CA_FILE' : undefined
    ].filter((name) => name !== undefined)
    if (changed.length === 0) return
    this.#tls = next
    result.update.tls = next
    result.changed.push(...changed)
  }
}

/**
 * Puts an update in use: the resolver reads keys and credentials from `access` on every request,
 * and the HTTPS server hands the new certificate to connections made from now on (open ones keep
 * theirs, so nothing is dropped).
 */
export function applySecrets (update: SecretUpdate, access: ServiceAccess, server: object): void {
  if (update.service !== undefined) access.setCredentials(update.service)
  if (update.apiKeys !== undefined) access.setApiKeys(update.apiKeys)
  if (update.tls !== undefined) (server as TlsServer).setSecureContext(secureContextOptions(update.tls))
}

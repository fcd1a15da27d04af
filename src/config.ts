import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { join, resolve } from 'node:path'
import { parseEnv } from 'node:util'
import envSchema from 'env-schema'
import { type ListenerTls, listenerTlsSettings } from './ops/tls.js'

/** The configuration variables, their types and defaults. */
const schema = {
  type: 'object',
  required: ['JIRA_URL'],
  properties: {
    JIRA_URL: { type: 'string', minLength: 1 },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8080 },
    JIRA_USERNAME: { type: 'string' },
    JIRA_PASSWORD: { type: 'string' },
    JIRA_PASSWORD_FILE: { type: 'string' },
    JIRA_PAT: { type: 'string' },
    JIRA_PAT_FILE: { type: 'string' },
    PROXY_API_KEYS: { type: 'string' },
    PROXY_API_KEYS_FILE: { type: 'string' },
    ALLOWED_HOSTS: { type: 'string' },
    ALLOWED_ORIGINS: { type: 'string' },
    BIGPICTURE_APPS: { type: 'string', default: 'softwareplant-bigpicture,softwareplant-biggantt,softwareplant-bigtemplate' },
    TOKEN_REFRESH_SKEW_SECONDS: { type: 'integer', minimum: 0, maximum: 3600, default: 30 },
    IDENTITY_CACHE_MAX: { type: 'integer', minimum: 1, default: 10000 },
    NEW_SESSIONS_PER_SECOND: { type: 'integer', minimum: 1, default: 100 },
    MAX_REPLAY_BODY_BYTES: { type: 'integer', minimum: 0, default: 10485760 },
    UPSTREAM_TIMEOUT_MS: { type: 'integer', minimum: 1, default: 120000 },
    SHUTDOWN_TIMEOUT_MS: { type: 'integer', minimum: 0, default: 25000 },
    TLS_CERT_FILE: { type: 'string' },
    TLS_KEY_FILE: { type: 'string' },
    TLS_CLIENT_CA_FILE: { type: 'string' },
    JIRA_CA_FILE: { type: 'string' },
    JIRA_TLS_INSECURE: { type: 'boolean', default: false },
    HTTPS_PROXY: { type: 'string' },
    HTTP_PROXY: { type: 'string' },
    NO_PROXY: { type: 'string' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    ACCESS_LOG: { type: 'boolean', default: true },
    STORE_URL: { type: 'string' },
    STORE_URL_FILE: { type: 'string' },
    STORE_SECRET: { type: 'string' },
    STORE_SECRET_FILE: { type: 'string' },
    STORE_PREFIX: { type: 'string', default: 'bpap:' }
  }
} as const

/** Credentials the proxy logs in with for callers that bring none (the service identity). */
export type ServiceCredentials =
  | { kind: 'password', username: string, password: string }
  | { kind: 'pat', token: string }

export interface Config {
  /** Jira base URL without a trailing slash, context path included. */
  jiraUrl: string
  /** `https://host:port` of Jira. */
  jiraOrigin: string
  /** Jira's context path, `''` or `/jira`. */
  contextPath: string
  host: string
  port: number
  service: ServiceCredentials | undefined
  proxyApiKeys: string[]
  /** Explicit `Host` values; `undefined` means the loopback names and the bound address. */
  allowedHosts: string[] | undefined
  /** Explicit browser origins; `undefined` means only origins whose host is an allowed host. */
  allowedOrigins: string[] | undefined
  apps: string[]
  refreshSkewMs: number
  identityCacheMax: number
  /** First contacts (never-seen cookies, logins of credentials not known good) per second (bursts of 5x). */
  newSessionsPerSecond: number
  maxReplayBodyBytes: number
  upstreamTimeoutMs: number
  /** How long a shutdown lets requests in flight finish before it cuts their connections. */
  shutdownTimeoutMs: number
  /** HTTPS on the proxy's own listener; `undefined` for plain HTTP. */
  listenerTls: ListenerTls | undefined
  /** The files secrets were read from (absolute paths) by variable (`JIRA_PASSWORD`…), re-read on SIGHUP. */
  secretFiles: Partial<Record<string, string>>
  tls: { ca: string | undefined, insecure: boolean }
  egress: { httpsProxy: string | undefined, httpProxy: string | undefined, noProxy: string | undefined }
  logLevel: string
  accessLog: boolean
  /** The store replicas share (`STORE_URL`); `undefined`: state stays in the process. */
  store: StoreConfig | undefined
}

/** Where the shared store is, the secret its entries are sealed with, and their key prefix. */
export interface StoreConfig {
  url: string
  secret: string
  prefix: string
}

/** Every problem found in the configuration, one line each, naming the variable. */
export class ConfigError extends Error {
  readonly problems: string[]
  constructor (problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

interface RawEnv {
  [name: string]: string | number | boolean | undefined
}

export interface LoadOptions {
  /** Directory holding the optional `.env` file. */
  cwd?: string
}

/**
 * Reads the configuration from `env` (then `.env` in `cwd`; the environment wins), validates it
 * and collects every problem before failing, so an operator fixes them all in one go.
 */
export function loadConfig (env: Record<string, string | undefined>, options: LoadOptions = {}): Config {
  const problems: string[] = []
  const dotenv = readDotenv(join(options.cwd ?? '.', '.env'), problems)
  const data: Record<string, string> = {}
  for (const name of Object.keys(schema.properties)) {
    const value = pick(env, name) ?? pick(dotenv, name)
    if (value !== undefined) data[name] = BOOLEANS.has(name) ? normalizeBoolean(value) : value
  }
  const raw = validate(data, problems)
  const str = (name: string): string | undefined => {
    const v = raw[name]
    return v === undefined || v === '' ? undefined : String(v)
  }
  const int = (name: string): number => Number(raw[name])
  // Files named by variables are relative to the same directory as `.env`.
  const fromCwd = (file: string): string => resolve(options.cwd ?? '.', file)

  // A JIRA_URL that failed the schema is already reported; the other checks still run.
  const jiraUrl = str('JIRA_URL')
  const jira = jiraUrl === undefined ? { url: '', origin: '', contextPath: '' } : parseJiraUrl(jiraUrl, problems)

  // Secrets that were set but could not be used: already reported, so no follow-on problems.
  const broken = new Set<string>()
  const secretFiles: Partial<Record<string, string>> = {}
  const secret = (name: string): string | undefined => {
    const direct = str(name)
    const file = str(`${name}_FILE`)
    if (direct !== undefined && file !== undefined) {
      problems.push(`${name}_FILE: set together with ${name}; use one of them`)
      broken.add(name)
      return undefined
    }
    if (file === undefined) return direct
    secretFiles[name] = fromCwd(file)
    const read = readSecretFile(name, fromCwd(file), file)
    if ('value' in read) return read.value
    problems.push(read.problem)
    broken.add(name)
    return undefined
  }

  const username = str('JIRA_USERNAME')
  const password = secret('JIRA_PASSWORD')
  const pat = secret('JIRA_PAT')
  const serviceWanted = username !== undefined || password !== undefined || pat !== undefined || broken.has('JIRA_PASSWORD') || broken.has('JIRA_PAT')
  // A secret that could not be read is reported already; judging the identity without it would only add noise.
  const service = broken.has('JIRA_PASSWORD') || broken.has('JIRA_PAT') ? undefined : serviceIdentity(username, password, pat, problems)

  const keysText = secret('PROXY_API_KEYS')
  const proxyApiKeys = keysText === undefined ? [] : splitList(keysText)
  if (proxyApiKeys.some(tooShort)) problems.push('PROXY_API_KEYS: every key must be at least 16 characters long')

  const host = str('HOST') ?? '127.0.0.1'
  if (serviceWanted && !isLoopbackHost(host) && proxyApiKeys.length === 0 && !broken.has('PROXY_API_KEYS')) {
    problems.push(`HOST: ${host} is not a loopback address and a service identity is configured, so anyone on the network could act as it; set PROXY_API_KEYS (or PROXY_API_KEYS_FILE), or listen on 127.0.0.1`)
  }

  const apps = splitList(str('BIGPICTURE_APPS') ?? '')
  if (apps.length === 0) problems.push('BIGPICTURE_APPS: lists no app')
  for (const app of apps) {
    if (!/^[A-Za-z0-9._-]+$/.test(app)) problems.push(`BIGPICTURE_APPS: "${app}" is not a REST root name`)
  }

  let ca: string | undefined
  const caFile = str('JIRA_CA_FILE')
  if (caFile !== undefined) {
    try {
      ca = readFileSync(fromCwd(caFile), 'utf8')
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) problems.push(`JIRA_CA_FILE: ${caFile} holds no PEM certificate`)
    } catch (err) {
      problems.push(`JIRA_CA_FILE: cannot read ${caFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }

  const httpsProxy = str('HTTPS_PROXY')
  const httpProxy = str('HTTP_PROXY')
  for (const [name, value] of [['HTTPS_PROXY', httpsProxy], ['HTTP_PROXY', httpProxy]] as const) {
    if (value !== undefined && !isHttpUrl(value)) problems.push(`${name}: must be an http:// or https:// URL`)
  }

  const tlsFile = (name: string): string | undefined => {
    const file = str(name)
    return file === undefined ? undefined : fromCwd(file)
  }
  const listenerTls = listenerTlsSettings({ cert: tlsFile('TLS_CERT_FILE'), key: tlsFile('TLS_KEY_FILE'), clientCa: tlsFile('TLS_CLIENT_CA_FILE') }, problems)

  const list = (name: string): string[] | undefined => {
    const v = str(name)
    return v === undefined ? undefined : splitList(v).map((h) => h.toLowerCase())
  }

  const store = storeConfig(secret('STORE_URL'), secret('STORE_SECRET'), str('STORE_PREFIX') ?? 'bpap:', broken, problems)

  if (problems.length > 0) throw new ConfigError(problems)

  return {
    jiraUrl: jira.url,
    jiraOrigin: jira.origin,
    contextPath: jira.contextPath,
    host,
    port: int('PORT'),
    service,
    proxyApiKeys,
    allowedHosts: list('ALLOWED_HOSTS'),
    allowedOrigins: list('ALLOWED_ORIGINS'),
    apps,
    refreshSkewMs: int('TOKEN_REFRESH_SKEW_SECONDS') * 1000,
    identityCacheMax: int('IDENTITY_CACHE_MAX'),
    newSessionsPerSecond: int('NEW_SESSIONS_PER_SECOND'),
    maxReplayBodyBytes: int('MAX_REPLAY_BODY_BYTES'),
    upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS'),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS'),
    listenerTls,
    secretFiles,
    tls: { ca, insecure: raw.JIRA_TLS_INSECURE === true },
    egress: { httpsProxy, httpProxy, noProxy: str('NO_PROXY') },
    logLevel: str('LOG_LEVEL') as string,
    accessLog: raw.ACCESS_LOG === true,
    store
  }
}

/** The shared store's settings: a Redis URL and a secret long enough to derive keys from. */
function storeConfig (url: string | undefined, secret: string | undefined, prefix: string, broken: Set<string>, problems: string[]): StoreConfig | undefined {
  if (url === undefined) {
    if (secret !== undefined) problems.push('STORE_SECRET: set without STORE_URL; set both to share state between replicas, or neither')
    return undefined
  }
  if (!/^rediss?:\/\/[^/]/.test(url)) problems.push('STORE_URL: must be a redis:// or rediss:// URL (redis://[user:password@]host:port/db)')
  if (secret === undefined) {
    if (!broken.has('STORE_SECRET')) problems.push('STORE_SECRET: is required with STORE_URL (32+ characters; or use STORE_SECRET_FILE)')
  } else if (secret.length < 32) {
    problems.push('STORE_SECRET: must be at least 32 characters long (e.g. openssl rand -base64 32)')
  }
  if (/\s/.test(prefix)) problems.push('STORE_PREFIX: must not contain spaces')
  return secret === undefined ? undefined : { url, secret, prefix }
}

/**
 * A secret file's content without surrounding whitespace, or the problem with it (naming
 * `<name>_FILE` and the file as `shown`, never the content).
 */
export function readSecretFile (name: string, path: string, shown = path): { value: string } | { problem: string } {
  try {
    const value = readFileSync(path, 'utf8').trim()
    return value === '' ? { problem: `${name}_FILE: ${shown} is empty` } : { value }
  } catch (err) {
    return { problem: `${name}_FILE: cannot read ${shown} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }
  }
}

/** A proxy API key too short to resist guessing. */
export function tooShort (key: string): boolean {
  return key.length < 16
}

function serviceIdentity (username: string | undefined, password: string | undefined, pat: string | undefined, problems: string[]): ServiceCredentials | undefined {
  if (pat !== undefined && (username !== undefined || password !== undefined)) {
    problems.push('JIRA_PAT: set together with JIRA_USERNAME/JIRA_PASSWORD; choose one service identity')
  } else if (pat !== undefined) {
    return { kind: 'pat', token: pat }
  } else if (username !== undefined && password !== undefined) {
    return { kind: 'password', username, password }
  } else if (username !== undefined) {
    problems.push('JIRA_PASSWORD: is required when JIRA_USERNAME is set (or use JIRA_PASSWORD_FILE)')
  } else if (password !== undefined) {
    problems.push('JIRA_USERNAME: is required when JIRA_PASSWORD is set')
  }
  return undefined
}

function parseJiraUrl (value: string, problems: string[]): { url: string, origin: string, contextPath: string } {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    problems.push('JIRA_URL: is not a URL (expected e.g. https://jira.example.com or https://host/jira)')
    return { url: '', origin: '', contextPath: '' }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push('JIRA_URL: must start with http:// or https://')
  }
  if (url.username !== '' || url.password !== '') {
    problems.push('JIRA_URL: must not carry credentials; use JIRA_USERNAME and JIRA_PASSWORD_FILE')
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push('JIRA_URL: must not have a query or fragment')
  }
  const contextPath = url.pathname.replace(/\/+$/, '')
  return { url: url.origin + contextPath, origin: url.origin, contextPath }
}

const BOOLEANS = new Set(['JIRA_TLS_INSECURE', 'ACCESS_LOG'])

/** A variable's non-empty value; lower-case proxy variables are the common spelling on Unix. */
function pick (source: Record<string, string | undefined>, name: string): string | undefined {
  const value = source[name] ?? (name.endsWith('_PROXY') ? source[name.toLowerCase()] : undefined)
  return value === undefined || value === '' ? undefined : value
}

/** The spellings of a boolean people write in environment files, as the schema's `true`/`false`. */
function normalizeBoolean (value: string): string {
  const lower = value.trim().toLowerCase()
  if (lower === 'true' || lower === '1' || lower === 'yes' || lower === 'on') return 'true'
  if (lower === 'false' || lower === '0' || lower === 'no' || lower === 'off') return 'false'
  return value
}

/** The `.env` file's variables; a missing file is no problem, an unreadable one is. */
function readDotenv (path: string, problems: string[]): Record<string, string | undefined> {
  try {
    return parseEnv(readFileSync(path, 'utf8'))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') problems.push(`.env: cannot read ${path} (${code ?? 'error'})`)
    return {}
  }
}

interface SchemaError {
  instancePath: string
  keyword: string
  message?: string
  params?: { missingProperty?: string, allowedValues?: unknown[] }
}

/**
 * Validates against the schema (types, ranges, defaults). Every failing variable becomes a problem,
 * and the rest is validated again without them, so the checks after this one still see the valid
 * values and defaults and every problem is reported in one go.
 */
function validate (data: Record<string, string>, problems: string[]): RawEnv {
  const failed = new Set<string>()
  for (let attempt = 0; attempt < 2; attempt++) {
    const copy = structuredClone(schema) as unknown as { required: string[], properties: Record<string, unknown> }
    const input: Record<string, string> = { ...data }
    for (const name of failed) {
      delete copy.properties[name]
      delete input[name]
    }
    copy.required = copy.required.filter((name) => !failed.has(name))
    try {
      return envSchema({ schema: copy, data: input, env: false, dotenv: false }) as RawEnv
    } catch (err) {
      const errors = (err as { errors?: SchemaError[] }).errors
      if (errors === undefined) {
        problems.push((err as Error).message)
        break
      }
      for (const e of errors) {
        const name = e.params?.missingProperty ?? e.instancePath.replace(/^\//, '')
        if (failed.has(name)) continue
        failed.add(name)
        problems.push(describeSchemaError(name, e))
      }
    }
  }
  return {}
}

function describeSchemaError (name: string, e: SchemaError): string {
  if (e.params?.missingProperty !== undefined) return `${name}: is required`
  if (e.keyword === 'type' && BOOLEANS.has(name)) return `${name}: must be true or false`
  if (e.keyword === 'enum' && e.params?.allowedValues !== undefined) return `${name}: must be one of ${e.params.allowedValues.join(', ')}`
  return `${name}: ${e.message ?? 'is invalid'}`
}

/** Splits a comma- or newline-separated list, dropping blanks and `#` comment lines. */
export function splitList (text: string): string[] {
  return text.split(/[,\n\r]+/).map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('#'))
}

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackHost (host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

function isHttpUrl (value: string): boolean {
  try {
    const u = new URL(value)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

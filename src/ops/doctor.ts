import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import type { Dispatcher } from 'undici'
import type { Config } from '../config.js'
import { isLoopbackHost } from '../config.js'
import { ProxyError } from '../errors.js'
import { createJiraDispatcher } from '../proxy/dispatcher.js'
import { AuthClient, type LoginOutcome } from '../tokens/auth-client.js'
import { JiraSession } from '../tokens/session.js'
import { readJwtExpiry } from '../tokens/jwt.js'
import { checkListenerTls } from './tls.js'

/**
 * `bigpicture-auth-proxy doctor`: what an operator asks first ("is it my configuration, the
 * network, the account or the app?"), answered in plain words, one line per check.
 *
 * Every check is a single request and nothing is retried: the service identity's login is tried
 * exactly once, because a few failed logins make Jira demand a CAPTCHA and lock the account out
 * of every REST login. No secret (password, PAT, API key, cookie, JWT) is ever printed; secrets
 * are described only as "set" or "from file".
 */
export interface DoctorOptions {
  /**
   * The environment the configuration was read from; it only tells a secret given directly from
   * one read from a `*_FILE`, and names the CA file. Values of secrets are never read from it.
   */
  env?: Record<string, string | undefined>
  /** Directory of the `.env` file, for the same purpose. */
  cwd?: string
  /** Per-request limit of the checks; defaults to the smaller of UPSTREAM_TIMEOUT_MS and 15 s. */
  timeoutMs?: number
  /** Replaces the HTTP client toward Jira (it is closed at the end either way). */
  dispatcher?: Dispatcher
}

/** A doctor should answer in seconds, not after the proxy's generous upstream timeout. */
const DEFAULT_TIMEOUT_MS = 15_000
/** Enough of a body to read a status or token answer; anything longer is not what we asked for. */
const MAX_BODY_CHARS = 64 * 1024

const PASS = '✔'
const FAIL = '✘'

/** Jira's `/status` states other than RUNNING, and what each means for an operator. */
const STATE_HINTS: Record<string, string> = {
  STARTING: 'Jira is still starting; run doctor again in a minute.',
  STOPPING: 'Jira is shutting down.',
  MAINTENANCE: 'Jira is in maintenance mode (an upgrade or re-index); wait for it to finish.',
  FIRST_RUN: 'Jira has not been set up yet: finish its setup wizard first.',
  ERROR: 'Jira reports an error state; its log (atlassian-jira.log) says why.'
}

/**
 * Runs every check, prints one line each (`✔`/`✘`, and a hint under each `✘`), and resolves 0
 * when all is well, 1 otherwise. Never throws for anything Jira or the network does.
 */
export async function runDoctor (config: Config, print: (line: string) => void, options: DoctorOptions = {}): Promise<number> {
  let failures = 0
  const pass = (text: string): void => print(`${PASS} ${text}`)
  const fail = (text: string, hint: string): void => {
    failures++
    print(`${FAIL} ${text}`)
    print(`    -> ${hint}`)
  }

  const source = sourceLookup(options)
  print(`bigpicture-auth-proxy doctor: checking ${config.jiraUrl}`)
  for (const line of configurationSummary(config, source)) pass(line)
  const tls = config.listenerTls === undefined ? undefined : checkListenerTls(config.listenerTls.files)
  if (tls?.ok === true) pass(tls.text)
  else if (tls?.ok === false) fail(tls.text, tls.hint)

  const timeoutMs = options.timeoutMs ?? Math.min(config.upstreamTimeoutMs, DEFAULT_TIMEOUT_MS)
  const dispatcher = options.dispatcher ?? createJiraDispatcher({ ...config, upstreamTimeoutMs: timeoutMs })
  const jira = new JiraProbe(dispatcher, config, timeoutMs)
  try {
    const reachable = await checkJira(jira, config, pass, fail)
    if (!reachable) {
      print('  (Jira could not be reached, so the service identity and the apps were not checked.)')
    } else if (config.service === undefined) {
      print('  (No service identity is configured, so no login and no system/auth were tried; callers bring their own Jira cookie, password or token.)')
    } else {
      await checkServiceIdentity(jira, config, dispatcher, timeoutMs, pass, fail)
    }
  } finally {
    await dispatcher.close().catch(() => {})
  }

  print(failures === 0 ? 'All checks passed.' : `${failures} check${failures === 1 ? '' : 's'} failed; see the hints above.`)
  return failures === 0 ? 0 : 1
}

type Pass = (text: string) => void
type Fail = (text: string, hint: string) => void

/** Where a variable came from: the environment, else the `.env` file, else nowhere. */
function sourceLookup (options: DoctorOptions): (name: string) => string | undefined {
  let dotenv: Record<string, string | undefined> = {}
  if (options.cwd !== undefined) {
    try {
      dotenv = parseEnv(readFileSync(join(options.cwd, '.env'), 'utf8'))
    } catch {
      dotenv = {}
    }
  }
  const env = options.env ?? {}
  return (name) => {
    const value = env[name] ?? dotenv[name]
    return value === undefined || value === '' ? undefined : value
  }
}

/** How a secret was given, without its value. */
function secretSource (name: string, source: (name: string) => string | undefined): string {
  const file = source(`${name}_FILE`)
  return file === undefined ? `set (${name})` : `from file ${file} (${name}_FILE)`
}

function configurationSummary (config: Config, source: (name: string) => string | undefined): string[] {
  const lines: string[] = []
  lines.push(`Configuration is valid. Jira: ${config.jiraUrl} (${config.contextPath === '' ? 'no context path' : `context path ${config.contextPath}`})`)

  const loopback = isLoopbackHost(config.host)
  lines.push(`Listens on ${config.host}:${config.port}${loopback ? ' (this machine only)' : ' (reachable from the network)'}`)

  const service = config.service
  if (service === undefined) {
    lines.push('Service identity: none (callers bring their own Jira cookie, password or personal access token)')
  } else if (service.kind === 'password') {
    lines.push(`Service identity: Jira user "${service.username}", password ${secretSource('JIRA_PASSWORD', source)}`)
  } else {
    lines.push(`Service identity: personal access token ${secretSource('JIRA_PAT', source)}`)
  }
  if (config.proxyApiKeys.length > 0) {
    const n = config.proxyApiKeys.length
    lines.push(`Proxy API keys: ${n} key${n === 1 ? '' : 's'} ${secretSource('PROXY_API_KEYS', source)}; callers presenting one in X-Proxy-Key may use the service identity`)
  } else if (service !== undefined) {
    lines.push('Proxy API keys: none, so only callers on this machine may use the service identity')
  }

  lines.push(`BigPicture apps that get tokens: ${config.apps.join(', ')}`)

  if (config.jiraUrl.startsWith('https:')) {
    const caFile = source('JIRA_CA_FILE')
    if (config.tls.insecure) {
      lines.push('TLS: certificate checks are OFF (JIRA_TLS_INSECURE=true); outside a test, give the CA in JIRA_CA_FILE instead')
    } else if (config.tls.ca !== undefined) {
      lines.push(`TLS: Jira's certificate is checked against the CA in ${caFile ?? 'JIRA_CA_FILE'} (instead of the system's CAs)`)
    } else {
      lines.push("TLS: Jira's certificate is checked against the system's CAs")
    }
  } else {
    lines.push('Connection to Jira: plain HTTP, not encrypted')
  }

  const egress = egressFor(config)
  lines.push(`Egress: ${egress.description}`)
  return lines
}

/** Whether requests to Jira go through an egress proxy, worked out exactly as undici's EnvHttpProxyAgent does. */
export function egressFor (config: Pick<Config, 'jiraUrl' | 'egress'>): { proxy: string | undefined, description: string } {
  const url = new URL(config.jiraUrl)
  const { httpsProxy, httpProxy, noProxy } = config.egress
  const candidate = url.protocol === 'https:' ? (httpsProxy || httpProxy) : httpProxy
  const target = url.host
  if (!candidate) {
    const unused = url.protocol === 'http:' && httpsProxy ? ' (HTTPS_PROXY applies to https:// only)' : ''
    return { proxy: undefined, description: `direct connection to ${target}, no egress proxy${unused}` }
  }
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
  if (noProxyMatches(url.hostname, port, noProxy ?? '')) {
    return { proxy: undefined, description: `direct connection to ${target}: NO_PROXY matches it, so ${describeProxyUrl(candidate)} is not used` }
  }
  return { proxy: candidate, description: `through the egress proxy ${describeProxyUrl(candidate)} (${url.protocol === 'https:' && !httpsProxy ? 'HTTP_PROXY' : url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'})` }
}

/** undici's NO_PROXY rule: `*`, exact names, parent domains (`.corp` or `corp`), optional `:port`. */
function noProxyMatches (hostname: string, port: number, noProxy: string): boolean {
  if (noProxy === '*') return true
  const host = hostname.toLowerCase()
  for (const entry of noProxy.split(/[,\s]/)) {
    if (entry === '') continue
    const parsed = /^(.+):(\d+)$/.exec(entry)
    const name = (parsed?.[1] ?? entry).replace(/^\*?\./, '').toLowerCase()
    const entryPort = parsed === null ? 0 : Number(parsed[2])
    if (entryPort !== 0 && entryPort !== port) continue
    if (host === name || host.endsWith(`.${name}`)) return true
  }
  return false
}

/** A proxy URL fit to print: credentials in it are replaced by a note that they are there. */
function describeProxyUrl (value: string): string {
  try {
    const url = new URL(value)
    const withCredentials = url.username !== '' || url.password !== ''
    return `${url.protocol}//${url.host}${withCredentials ? ' (with credentials)' : ''}`
  } catch {
    return '(unparsable URL)'
  }
}

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  ms: number
}

/** One request to Jira, nothing else: no retry, no redirect following, the body read to a cap. */
class JiraProbe {
  readonly #d: Dispatcher
  readonly #config: Config
  readonly #timeout: number

  constructor (dispatcher: Dispatcher, config: Config, timeoutMs: number) {
    this.#d = dispatcher
    this.#config = config
    this.#timeout = timeoutMs
  }

  async get (path: string, headers: Record<string, string>, method: 'GET' | 'DELETE' = 'GET'): Promise<Answer> {
    const started = performance.now()
    const res = await this.#d.request({
      origin: this.#config.jiraOrigin,
      path: this.#config.contextPath + path,
      method,
      headers: { accept: 'application/json', ...headers },
      headersTimeout: this.#timeout,
      bodyTimeout: this.#timeout
    })
    const ms = performance.now() - started
    let text = ''
    for await (const chunk of res.body) {
      if (text.length < MAX_BODY_CHARS) text += (chunk as Buffer).toString('utf8')
    }
    return { status: res.statusCode, headers: res.headers, text: text.slice(0, MAX_BODY_CHARS), ms }
  }
}

/** Reachability and Jira's own status page; true when Jira answered at all. */
async function checkJira (jira: JiraProbe, config: Config, pass: Pass, fail: Fail): Promise<boolean> {
  const egress = egressFor(config)
  const via = egress.proxy === undefined ? 'direct' : `through ${describeProxyUrl(egress.proxy)}`
  const tls = !config.jiraUrl.startsWith('https:') ? '' : config.tls.insecure ? ', certificate NOT checked' : ', certificate trusted'
  let status: Answer
  try {
    status = await jira.get('/status', {})
  } catch (err) {
    const why = explainTransportError(err, config)
    fail(`Jira is not reachable at ${config.jiraOrigin} (${via}): ${why.text}`, why.hint)
    return false
  }
  pass(`Jira is reachable at ${config.jiraOrigin} (${via}${tls}; answered in ${Math.round(status.ms)} ms)`)

  if (status.status >= 300 && status.status < 400) {
    const location = describeLocation(status.headers.location)
    fail(`Jira status: ${config.contextPath}/status redirects (HTTP ${status.status}) to ${location}`,
      'JIRA_URL is probably not Jira\'s own base URL (http instead of https, a missing context path, or a login page in front); set JIRA_URL to the address it redirects to.')
    return true
  }
  if (status.status >= 500) {
    fail(`Jira status: HTTP ${status.status}`, 'Jira, or a load balancer in front of it, reports an error: is Jira starting, stopped or in maintenance?')
    return true
  }
  const state = readState(status)
  if (state === 'RUNNING') {
    pass('Jira status: RUNNING')
    return true
  }
  if (state !== undefined) {
    fail(`Jira status: ${state}`, STATE_HINTS[state] ?? 'Jira is not running normally; its log says why.')
    return true
  }
  // No status page (some versions, some reverse proxies): Jira's REST API still tells us it is there.
  let rest: Answer
  try {
    rest = await jira.get('/rest/auth/1/session', {})
  } catch (err) {
    const why = explainTransportError(err, config)
    fail(`Jira status: no answer from ${config.contextPath}/rest/auth/1/session: ${why.text}`, why.hint)
    return true
  }
  if ((rest.status === 401 || rest.status === 200) && isJson(rest)) {
    pass(`Jira status: no status page (HTTP ${status.status}), but Jira's REST API answers at ${config.contextPath}/rest`)
    return true
  }
  fail(`Jira status: nothing that looks like Jira at ${config.jiraUrl} (${config.contextPath}/status answered HTTP ${status.status}, ${config.contextPath}/rest/auth/1/session HTTP ${rest.status})`,
    'Check JIRA_URL, including Jira\'s context path: https://host/jira if Jira\'s pages live under /jira, https://host if they do not.')
  return true
}

function readState (answer: Answer): string | undefined {
  if (answer.status !== 200) return undefined
  try {
    const state = (JSON.parse(answer.text) as { state?: unknown } | null)?.state
    return typeof state === 'string' && /^[A-Z_]{1,40}$/.test(state) ? state : undefined
  } catch {
    return undefined
  }
}

function isJson (answer: Answer): boolean {
  return String(answer.headers['content-type'] ?? '').includes('json')
}

/** A redirect target without its query, which may carry single-sign-on state. */
function describeLocation (location: string | string[] | undefined): string {
  const value = Array.isArray(location) ? location[0] : location
  if (value === undefined) return '(no Location)'
  try {
    const url = new URL(value, 'http://relative.invalid')
    return url.host === 'relative.invalid' ? url.pathname : `${url.origin}${url.pathname}`
  } catch {
    return '(an unparsable Location)'
  }
}

/** The login, `system/auth` once per app, then the logout of the session the doctor opened. */
async function checkServiceIdentity (jira: JiraProbe, config: Config, dispatcher: Dispatcher, timeoutMs: number, pass: Pass, fail: Fail): Promise<void> {
  const service = config.service
  if (service === undefined) return
  const who = service.kind === 'password' ? `user "${service.username}"` : 'the personal access token'
  const client = new AuthClient({ dispatcher, jiraOrigin: config.jiraOrigin, contextPath: config.contextPath, timeoutMs })

  let login: LoginOutcome
  const session = new JiraSession()
  try {
    login = service.kind === 'password'
      ? await client.loginWithPassword(service.username, service.password, session)
      : await client.loginWithToken(service.token, session)
  } catch (err) {
    const why = explainTransportError(err, config)
    fail(`Login as ${who}: ${why.text}`, `${why.hint} The login was tried once and not repeated.`)
    return
  }
  if (!login.ok) {
    const why = explainLogin(login, service.kind, who, config)
    // Without a session, system/auth cannot be asked; a second login is never tried.
    fail(`${why.text}; the apps were not checked`, why.hint)
    return
  }
  pass(`Login as ${who}: Jira accepted it (one attempt; the session is closed again below)`)

  // Every cookie the login set (a cluster's balancer's too), so each check reaches the session's node.
  const cookie = session.cookieHeader
  for (const app of config.apps) {
    const why = await checkApp(jira, config, app, cookie)
    if (why.ok) pass(why.text)
    else fail(why.text, why.hint)
  }

  try {
    const out = await jira.get('/rest/auth/1/session', { cookie }, 'DELETE')
    if (out.status === 204 || out.status === 200) pass('Logout: the Jira session opened for these checks is closed')
    else if (out.status === 401) pass('Logout: the Jira session opened for these checks had already ended')
    else fail(`Logout: Jira answered HTTP ${out.status}`, 'Harmless for the proxy: Jira ends idle sessions by itself.')
  } catch (err) {
    const why = explainTransportError(err, config)
    fail(`Logout: ${why.text}`, 'Harmless for the proxy: Jira ends idle sessions by itself.')
  }
}

function explainLogin (login: Extract<LoginOutcome, { ok: false }>, kind: 'password' | 'pat', who: string, config: Config): { text: string, hint: string } {
  const where = login.loginUrl ?? `${config.jiraUrl}/login.jsp`
  if (login.reason === 'captcha') {
    return {
      text: `Login as ${who}: Jira demands a CAPTCHA (HTTP ${login.status}); it refuses every REST login for this account until a person signs in`,
      hint: `Sign in once as this user in a browser at ${describeLocation(where)} and answer the CAPTCHA, then run doctor again (and send a running proxy SIGHUP). The doctor did not retry.`
    }
  }
  if (login.reason === 'bad-credentials') {
    if (kind === 'pat') {
      return {
        text: `Login with the personal access token: Jira rejected it (HTTP ${login.status})`,
        hint: 'Check JIRA_PAT / JIRA_PAT_FILE: the token may be mistyped, expired or revoked (Jira profile > Personal Access Tokens); tokens need Jira 8.14 or later.'
      }
    }
    const ignored = login.status === 200 ? ' (it answered as if nobody had logged in)' : ''
    return {
      text: `Login as ${who}: Jira rejected the password (HTTP ${login.status})${ignored}`,
      hint: 'Check JIRA_USERNAME and JIRA_PASSWORD / JIRA_PASSWORD_FILE (a trailing newline in the file is ignored). The doctor tried once and will not retry: after a few failures Jira demands a CAPTCHA and refuses every REST login until someone signs in through a browser.'
    }
  }
  if (login.status === 404) {
    return {
      text: `Login as ${who}: Jira has no login endpoint at ${config.contextPath}/rest/auth/1/session (HTTP 404)`,
      hint: 'Check the context path in JIRA_URL (https://host/jira if Jira lives under /jira).'
    }
  }
  if (login.status === 200) {
    return {
      text: `Login as ${who}: Jira answered without opening a session (no JSESSIONID cookie)`,
      hint: 'A single-sign-on gateway or a reverse proxy in front of Jira may be answering instead; point JIRA_URL at Jira itself.'
    }
  }
  return {
    text: `Login as ${who}: Jira refused it (HTTP ${login.status})`,
    hint: kind === 'pat'
      ? 'Jira did not accept the token as a login; check that personal access tokens are enabled and the account is active.'
      : 'The account may be inactive, lack the "Jira users" permission, or Jira may only allow single sign-on logins; ask the Jira administrators.'
  }
}

async function checkApp (jira: JiraProbe, config: Config, app: string, cookie: string): Promise<{ ok: true, text: string } | { ok: false, text: string, hint: string }> {
  let answer: Answer
  try {
    answer = await jira.get(`/rest/${app}/1.0/system/auth`, { cookie })
  } catch (err) {
    const why = explainTransportError(err, config)
    return { ok: false, text: `${app}: system/auth: ${why.text}`, hint: why.hint }
  }
  const { status } = answer
  if (status === 404) {
    return {
      ok: false,
      text: `${app}: not installed on this Jira (system/auth answered HTTP 404)`,
      hint: `Remove ${app} from BIGPICTURE_APPS, or install and enable the app (8.3 or later, which introduced system/auth).`
    }
  }
  if (status === 401 || status === 403) {
    return {
      ok: false,
      text: `${app}: system/auth refused the session just opened (HTTP ${status})`,
      hint: `Check that the service account may use ${app} (app permissions, licence) and that the app is enabled.`
    }
  }
  if (status !== 200) {
    return {
      ok: false,
      text: `${app}: system/auth failed (HTTP ${status})`,
      hint: `The app's log in Jira says why; until it is fixed the proxy answers BIGPICTURE_AUTH_FAILED (502) for ${app}.`
    }
  }
  if (answer.headers['x-ausername'] === 'anonymous') {
    return {
      ok: false,
      text: `${app}: system/auth did not recognise the session just opened (answered as anonymous)`,
      hint: 'Something between the proxy and Jira drops the JSESSIONID cookie; point JIRA_URL at Jira itself.'
    }
  }
  const lifetimes = readTokenLifetimes(answer)
  if (lifetimes === undefined) {
    return {
      ok: false,
      text: `${app}: system/auth answered something that is not a token pair`,
      hint: 'A login page or a gateway may be answering instead of the app; check JIRA_URL and the app\'s version (8.3 or later).'
    }
  }
  return { ok: true, text: `${app}: system/auth issued tokens (authentication valid ${lifetimes.authentication}, refresh ${lifetimes.refresh})` }
}

/** How long the issued tokens live, in words; undefined when the answer is not a token pair. */
function readTokenLifetimes (answer: Answer): { authentication: string, refresh: string } | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(answer.text)
  } catch {
    return undefined
  }
  const { authentication, refresh } = (parsed ?? {}) as { authentication?: unknown, refresh?: unknown }
  if (typeof authentication !== 'string' || typeof refresh !== 'string' || authentication === '' || refresh === '') return undefined
  const date = Date.parse(String(answer.headers.date ?? ''))
  const jiraNow = Number.isNaN(date) ? Date.now() : date
  const life = (token: string): string => {
    const exp = readJwtExpiry(token)
    return exp === undefined ? 'for an unknown time' : describeDuration(exp * 1000 - jiraNow)
  }
  return { authentication: life(authentication), refresh: life(refresh) }
}

/** `900000` -> `15 min`; rounded to what a person would say. */
export function describeDuration (ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} days`
}

const UNTRUSTED_CA = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
])

/** Every `code` and message along an error's `cause` chain (undici and the proxy wrap errors). */
function errorChain (err: unknown): { codes: string[], messages: string[] } {
  const codes: string[] = []
  const messages: string[] = []
  let current: unknown = err
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const { code, message, cause } = current as { code?: unknown, message?: unknown, cause?: unknown }
    if (typeof code === 'string') codes.push(code)
    if (typeof message === 'string') messages.push(message)
    current = cause
  }
  return { codes, messages }
}

/**
 * A transport failure in plain words, with what to do about it. Only error codes and undici's own
 * messages are looked at; nothing of a request (headers, cookies) is ever part of the text.
 */
export function explainTransportError (err: unknown, config: Pick<Config, 'jiraUrl' | 'jiraOrigin' | 'tls' | 'egress'>): { text: string, hint: string } {
  const { codes, messages } = errorChain(err)
  const has = (code: string): boolean => codes.includes(code)
  const url = new URL(config.jiraUrl)
  const proxy = egressFor(config).proxy
  const proxyNote = proxy === undefined ? '' : ` through the egress proxy ${describeProxyUrl(proxy)}`

  const tunnel = messages.map((m) => /^Proxy response \((\d+)\) !== 200/.exec(m)).find((m) => m !== null)
  if (tunnel != null) {
    const status = tunnel[1]
    return {
      text: `the egress proxy refused the connection to ${url.host} (HTTP ${status})`,
      hint: status === '407'
        ? 'The egress proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port), or ask for the Jira host to be allowed.'
        : 'The egress proxy does not let this connection through; ask its administrators, or add Jira to NO_PROXY if it is reachable directly.'
    }
  }
  const ca = codes.find((c) => UNTRUSTED_CA.has(c))
  if (ca !== undefined) {
    return {
      text: `Jira's TLS certificate is not signed by a CA this machine trusts (${ca})`,
      hint: config.tls.ca === undefined
        ? 'Set JIRA_CA_FILE to the PEM file of the CA that signed Jira\'s certificate (your company\'s root CA). JIRA_TLS_INSECURE=true turns the check off, for tests only.'
        : 'JIRA_CA_FILE is set but does not hold the CA that signed Jira\'s certificate (or its intermediate chain); export the right root CA as PEM.'
    }
  }
  if (has('CERT_HAS_EXPIRED')) {
    return { text: "Jira's TLS certificate has expired (CERT_HAS_EXPIRED)", hint: 'Jira\'s administrators must renew the certificate; JIRA_TLS_INSECURE=true hides the problem, for tests only.' }
  }
  if (has('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return { text: `Jira's TLS certificate is not valid for the name ${url.hostname} (ERR_TLS_CERT_ALTNAME_INVALID)`, hint: 'Use in JIRA_URL the host name the certificate was issued for (the one people use in their browser).' }
  }
  if (codes.some((c) => c.startsWith('ERR_SSL_') || c === 'EPROTO') || messages.some((m) => /wrong version number|SSL routines/i.test(m))) {
    return {
      text: `the TLS handshake with ${url.host} failed (${codes.find((c) => c.startsWith('ERR_SSL_') || c === 'EPROTO') ?? 'TLS error'})`,
      hint: url.protocol === 'https:' ? 'That port may serve plain HTTP: try http:// in JIRA_URL, or the port that serves HTTPS.' : 'Check the port in JIRA_URL.'
    }
  }
  if (has('ECONNREFUSED')) {
    return {
      text: `connection refused${proxy === undefined ? ` by ${url.host}` : ` by ${describeProxyUrl(proxy)}`} (ECONNREFUSED)`,
      hint: proxy === undefined
        ? 'Nothing listens at that address: check the host and port in JIRA_URL, and whether Jira is running.'
        : 'The egress proxy is not listening there: check HTTPS_PROXY / HTTP_PROXY.'
    }
  }
  if (has('ENOTFOUND') || has('EAI_AGAIN')) {
    return {
      text: `the name ${proxy === undefined ? url.hostname : describeProxyUrl(proxy)} does not resolve (${has('ENOTFOUND') ? 'ENOTFOUND' : 'EAI_AGAIN'})`,
      hint: proxy === undefined
        ? 'Check the host name in JIRA_URL; if Jira is only reachable through a corporate proxy, set HTTPS_PROXY.'
        : 'Check the host name in HTTPS_PROXY / HTTP_PROXY.'
    }
  }
  if (has('UND_ERR_CONNECT_TIMEOUT') || has('ETIMEDOUT') || has('ENETUNREACH') || has('EHOSTUNREACH')) {
    return {
      text: `no connection to ${url.host}${proxyNote} (${codes.find((c) => ['UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH'].includes(c)) ?? 'timeout'})`,
      hint: 'A firewall may drop the connection; if this network reaches the internet only through a corporate proxy, set HTTPS_PROXY (and NO_PROXY for internal hosts).'
    }
  }
  if (has('UND_ERR_HEADERS_TIMEOUT') || has('UND_ERR_BODY_TIMEOUT') || has('UPSTREAM_TIMEOUT')) {
    return { text: `connected to ${url.host}${proxyNote}, but it did not answer in time`, hint: 'Jira may be overloaded or stuck; its log and its administrators can tell.' }
  }
  if (has('ECONNRESET') || has('UND_ERR_SOCKET') || has('UND_ERR_CLOSED')) {
    return {
      text: `${url.host}${proxyNote} closed the connection without an answer (${codes.find((c) => ['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(c)) ?? 'reset'})`,
      hint: url.protocol === 'http:' ? 'The port may expect HTTPS: try https:// in JIRA_URL.' : 'A firewall or proxy may cut the connection; check with the network administrators.'
    }
  }
  const code = codes.find((c) => !(err instanceof ProxyError && c === err.code)) ?? codes[0] ?? 'unknown error'
  return { text: `the connection failed (${code})`, hint: 'Check JIRA_URL, the network between this machine and Jira, and HTTPS_PROXY / NO_PROXY.' }
}

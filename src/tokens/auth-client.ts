import { EventEmitter } from 'node:events'
import type { Dispatcher } from 'undici'
import { ProxyError, mapTransportError } from '../errors.js'
import { clockOffsetMs } from './clock.js'
import type { JiraSession, SessionCookies } from './session.js'

/** A token pair (or a lone refreshed authentication token) as BigPicture issued it. */
export interface IssuedTokens {
  authentication: string
  refresh: string | undefined
  /** Jira clock minus ours, from the answer's `Date`. */
  offsetMs: number
}

export type AuthOutcome =
  | { ok: true, tokens: IssuedTokens }
  /** 401 (or credentials ignored): the Jira session or refresh token is no longer good. */
  | { ok: false, anonymous: boolean }

export type LoginOutcome =
  /** The session's cookies went into the jar the login was given. */
  | { ok: true }
  | { ok: false, reason: 'bad-credentials' | 'captcha' | 'denied', loginUrl: string | undefined, status: number }

export interface AuthClientOptions {
  dispatcher: Dispatcher
  jiraOrigin: string
  contextPath: string
  timeoutMs: number
}

/** How an auth call went, for metrics and logs. */
export type CallKind = 'login' | 'session' | 'auth' | 'reauth'
export type CallObserver = (kind: CallKind, outcome: string, seconds: number) => void

/**
 * Talks to Jira's login and BigPicture's `system/auth` / `system/reauth` endpoints. Knows nothing
 * about caching; every method is exactly one upstream request.
 */
export class AuthClient {
  readonly #d: Dispatcher
  readonly #origin: string
  readonly #ctx: string
  readonly #timeout: number
  readonly #observe: CallObserver

  constructor (options: AuthClientOptions, observe: CallObserver = () => {}) {
    this.#d = options.dispatcher
    this.#origin = options.jiraOrigin
    this.#ctx = options.contextPath
    this.#timeout = options.timeoutMs
    this.#observe = observe
  }

  /**
   * `POST /rest/auth/1/session`: a new Jira session for a user name and password, into `jar` (a jar
   * without a session: its other cookies, a balancer's, go along so the login lands where they say).
   */
  async loginWithPassword (username: string, password: string, jar: JiraSession): Promise<LoginOutcome> {
    return this.#login('POST', withCookies({ 'content-type': 'application/json', accept: 'application/json' }, jar), JSON.stringify({ username, password }), jar)
  }

  /** `GET /rest/auth/1/session` with a personal access token: Jira answers with a session cookie, into `jar`. */
  async loginWithToken (pat: string, jar: JiraSession): Promise<LoginOutcome> {
    return this.#login('GET', withCookies({ authorization: `Bearer ${pat}`, accept: 'application/json' }, jar), undefined, jar)
  }

  async #login (method: 'GET' | 'POST', headers: Record<string, string>, body: string | undefined, jar: JiraSession): Promise<LoginOutcome> {
    const started = performance.now()
    let outcome = 'error'
    try {
      const res = await this.#request(method, '/rest/auth/1/session', headers, body)
      await drain(res)
      const before = jar.id
      jar.absorb(res.headers['set-cookie'])
      const result = readLogin(res, jar.id !== undefined && jar.id !== before)
      outcome = result.ok ? 'ok' : result.reason
      if (!result.ok && result.reason === 'denied' && res.statusCode >= 500) {
        outcome = 'error'
        throw new ProxyError('UPSTREAM_UNREACHABLE', `Jira answered the login with HTTP ${res.statusCode}.`)
      }
      return result
    } finally {
      this.#observe('login', outcome, (performance.now() - started) / 1000)
    }
  }

  /**
   * Whether Jira still knows a session (`GET /rest/auth/1/session`): tells a dead session apart
   * from BigPicture refusing a live one. Anything but a clear 401/403 counts as alive, so an odd
   * answer never leads to an extra login.
   */
  async sessionAlive (session: SessionCookies): Promise<boolean> {
    const started = performance.now()
    let outcome = 'error'
    try {
      const res = await this.#request('GET', '/rest/auth/1/session', withCookies({ accept: 'application/json' }, session), undefined)
      await drain(res)
      session.absorb(res.headers['set-cookie'])
      const alive = res.statusCode !== 401 && res.statusCode !== 403
      outcome = alive ? 'alive' : 'dead'
      return alive
    } finally {
      this.#observe('session', outcome, (performance.now() - started) / 1000)
    }
  }

  /** `GET /rest/{app}/1.0/system/auth` with the identity's Jira session (all its cookies). */
  async auth (app: string, session: SessionCookies): Promise<AuthOutcome> {
    return this.#token('auth', app, withCookies({ accept: 'application/json' }, session), session)
  }

  /** `GET /rest/{app}/1.0/system/reauth` with the raw refresh token (and the session's cookies, for the balancer). */
  async reauth (app: string, refresh: string, session: SessionCookies): Promise<AuthOutcome> {
    return this.#token('reauth', app, withCookies({ authorization: refresh, accept: 'application/json' }, session), session)
  }

  async #token (kind: 'auth' | 'reauth', app: string, headers: Record<string, string>, session: SessionCookies): Promise<AuthOutcome> {
    const started = performance.now()
    let outcome = 'error'
    try {
      const res = await this.#request('GET', `/rest/${app}/1.0/system/${kind}`, headers, undefined)
      const receivedAt = Date.now()
      session.absorb(res.headers['set-cookie'])
      if (res.statusCode === 401 || res.statusCode === 403) {
        await drain(res)
        outcome = 'rejected'
        return { ok: false, anonymous: res.headers['x-ausername'] === 'anonymous' }
      }
      if (res.statusCode !== 200) {
        await drain(res)
        throw new ProxyError('BIGPICTURE_AUTH_FAILED', `BigPicture's ${kind} endpoint answered HTTP ${res.statusCode}.`)
      }
      // A 200 for someone Jira did not recognise means the session was ignored. (reauth carries no
      // session at all, so Jira always sees it as anonymous; only the refresh token counts there.)
      if (kind === 'auth' && res.headers['x-ausername'] === 'anonymous') {
        await drain(res)
        outcome = 'rejected'
        return { ok: false, anonymous: true }
      }
      const text = await res.body.text().catch((err: unknown) => { throw mapTransportError(err) })
      const tokens = parseTokens(text, kind)
      if (tokens === undefined) {
        outcome = 'garbage'
        throw new ProxyError('BIGPICTURE_AUTH_FAILED', `BigPicture's ${kind} endpoint answered something that is not a token.`)
      }
      outcome = 'ok'
      return { ok: true, tokens: { ...tokens, offsetMs: clockOffsetMs(res.headers.date, receivedAt) } }
    } finally {
      this.#observe(kind, outcome, (performance.now() - started) / 1000)
    }
  }

  async #request (method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | undefined): Promise<Dispatcher.ResponseData> {
    // The whole call, queueing for a connection included: under a latency spike many token calls
    // can wait for the pool, and a caller must get UPSTREAM_TIMEOUT, not wait forever.
    const deadline = new Deadline(this.#timeout)
    try {
      const res = await this.#d.request({
        origin: this.#origin,
        path: this.#ctx + path,
        method,
        headers,
        body,
        headersTimeout: this.#timeout,
        bodyTimeout: this.#timeout,
        signal: deadline
      })
      res.body.once('close', () => { deadline.clear() })
      return res
    } catch (err) {
      deadline.clear()
      throw mapTransportError(err)
    }
  }
}

/**
 * The deadline of one token call, in the form undici takes besides an AbortSignal: an
 * EventEmitter with `aborted` and `reason`, emitting 'abort'. Measured in a flood of first
 * contacts: with an AbortController per call, about 450 bytes a call outlived two young-generation
 * collections and were promoted, to die later as holes among the cache entries in the old
 * generation; with this, none. Not AbortSignal.timeout() either: its signal lives out the whole
 * timeout. The timer is cleared as soon as the answer has been read.
 */
export class Deadline extends EventEmitter {
  aborted = false
  reason: unknown = undefined
  readonly #timer: NodeJS.Timeout

  constructor (ms: number) {
    super()
    this.#timer = setTimeout(() => { this.#expire() }, ms)
    this.#timer.unref()
  }

  clear (): void {
    clearTimeout(this.#timer)
  }

  #expire (): void {
    this.aborted = true
    this.reason = new DOMException('The token call timed out.', 'TimeoutError')
    this.emit('abort')
  }
}

const MAX_TOKEN_LENGTH = 16384

function parseTokens (text: string, kind: 'auth' | 'reauth'): { authentication: string, refresh: string | undefined } | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (parsed === null || typeof parsed !== 'object') return undefined
  const { authentication, refresh } = parsed as { authentication?: unknown, refresh?: unknown }
  if (!isTokenText(authentication)) return undefined
  if (kind === 'auth' && !isTokenText(refresh)) return undefined
  return { authentication, refresh: isTokenText(refresh) ? refresh : undefined }
}

function isTokenText (value: unknown): value is string {
  // A header value must not carry control characters; anything else is not a token we can send.
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(value)
}

/** The headers with the session's cookies, if it has any. */
function withCookies (headers: Record<string, string>, session: SessionCookies): Record<string, string> {
  const cookie = session.cookieHeader
  if (cookie !== '') headers.cookie = cookie
  return headers
}

function readLogin (res: Dispatcher.ResponseData, sessionSet: boolean): LoginOutcome {
  const reason = String(res.headers['x-seraph-loginreason'] ?? '')
  const denied = String(res.headers['x-authentication-denied-reason'] ?? '')
  if (denied.includes('CAPTCHA_CHALLENGE') || reason.includes('AUTHENTICATION_DENIED')) {
    const match = /login-url=([^;\s]+)/.exec(denied)
    return { ok: false, reason: 'captcha', loginUrl: match?.[1], status: res.statusCode }
  }
  if (res.statusCode === 200 && res.headers['x-ausername'] !== 'anonymous' && sessionSet) return { ok: true }
  // 401, Seraph's verdict, or a 200 that left the caller anonymous (credentials ignored).
  if (res.statusCode === 401 || reason.includes('AUTHENTICATED_FAILED') || (res.statusCode === 200 && res.headers['x-ausername'] === 'anonymous')) {
    return { ok: false, reason: 'bad-credentials', loginUrl: undefined, status: res.statusCode }
  }
  return { ok: false, reason: 'denied', loginUrl: undefined, status: res.statusCode }
}

/** Reads and drops an answer's body; a transport failure while doing so is Jira's, not ours. */
async function drain (res: Dispatcher.ResponseData): Promise<void> {
  try {
    await res.body.dump()
  } catch (err) {
    throw mapTransportError(err)
  }
}

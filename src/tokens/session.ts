import { createRequire } from 'node:module'
import type * as ToughCookie from 'tough-cookie'
import type { CookieJar, SerializedCookieJar } from 'tough-cookie'

/**
 * tough-cookie, loaded with the first jar: a proxy whose callers all bring their own cookies never
 * makes one, and the library holds some 7 MB once loaded. The first login pays the load.
 */
let tough: typeof ToughCookie | undefined
const toughCookie = (): typeof ToughCookie => (tough ??= createRequire(import.meta.url)('tough-cookie') as typeof ToughCookie)

/**
 * A Jira session as the proxy holds it: a cookie jar, not one value. On a Data Center cluster the
 * balancer's affinity cookie (`INGRESSCOOKIE`, `AWSALB`, `ROUTEID`, ...) says which node holds the
 * session, so every cookie Jira's side sets is kept and the whole jar goes out on every request.
 * This module is the only place that knows the session cookie's name.
 */

/** The name of Jira's (Tomcat's) session cookie. */
export const SESSION_COOKIE = 'JSESSIONID'

/**
 * The URL every cookie is filed under and read back for. The proxy talks to one Jira, so neither
 * `Domain` nor `Secure` picks cookies: both are cleared on arrival. A balancer may name the public
 * host in `Domain`, which is not the URL the proxy dials, and mark a cookie `Secure` while Jira
 * behind it speaks plain HTTP (TLS offload): that cookie must still go back.
 */
const JAR_URL = 'https://jira.invalid/'
const JAR_OPTIONS = {
  rejectPublicSuffixes: false,
  looseMode: false,
  // `__Host-`/`__Secure-` rules protect a browser from other sites; there is one upstream here.
  prefixSecurity: 'unsafe-disabled',
  enforceSecureOriginOnStorage: false
} as const
/**
 * Every request goes out with the whole jar: paths order the header (longest first, RFC 6265
 * 5.4) and tell cookies apart, they do not filter it.
 */
const READ = { allPaths: true, sort: true } as const

/** A jar as plain data, for a store to keep (tough-cookie's own serialisation). */
export type SerializedJiraSession = SerializedCookieJar

/** The cookies a Jira call carries, and where the cookies its answer sets go. */
export interface SessionCookies {
  /** The `Cookie` header to send; '' for none. */
  readonly cookieHeader: string
  /** Takes an answer's `Set-Cookie` lines. */
  absorb (setCookie: string | string[] | undefined): void
}

/**
 * The Jira session of an identity the proxy logs in for (service identity, Basic, PAT): every
 * cookie Jira and its balancer set on answers to that identity's requests, with RFC 6265 rules
 * (replacement by name and path, `Expires`, `Max-Age`, deletion) from tough-cookie. The `Cookie`
 * header is built when the jar changes (or its earliest expiry passes), never per request.
 */
export class JiraSession implements SessionCookies {
  readonly #jar: CookieJar
  #header = ''
  #id: string | undefined = undefined
  /** When the first cookie in the jar expires: the header is rebuilt then. */
  #staleAt = Infinity
  #generation = 0

  constructor (serialized?: SerializedJiraSession) {
    const { CookieJar, MemoryCookieStore } = toughCookie()
    this.#jar = serialized === undefined
      ? new CookieJar(new MemoryCookieStore(), JAR_OPTIONS)
      : CookieJar.deserializeSync(serialized, new MemoryCookieStore())
    this.#rebuild()
  }

  /** The `Cookie` header for the identity's requests to Jira; '' when the jar is empty. */
  get cookieHeader (): string {
    if (this.#staleAt !== Infinity && Date.now() >= this.#staleAt) this.#rebuild()
    return this.#header
  }

  /** The session cookie's value, if Jira has set one: without it the identity is not logged in. */
  get id (): string | undefined {
    if (this.#staleAt !== Infinity && Date.now() >= this.#staleAt) this.#rebuild()
    return this.#id
  }

  /** How many times the header has changed: equal generations sent equal cookies. */
  get generation (): number {
    return this.#generation
  }

  /** Keeps every cookie an answer sets; an unparsable line is ignored, as a browser would. */
  absorb (setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return
    const now = new Date()
    let changed = false
    const { Cookie } = toughCookie()
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const cookie = Cookie.parse(line)
      if (cookie === undefined) continue
      cookie.domain = null
      cookie.secure = false
      // RFC 6265 5.2.2: Max-Age counts from arrival; tough-cookie counts it from the last read.
      if (typeof cookie.maxAge === 'number' && cookie.maxAge > 0) {
        cookie.expires = new Date(now.getTime() + cookie.maxAge * 1000)
        cookie.maxAge = null
      }
      if (this.#jar.setCookieSync(cookie, JAR_URL, { now, ignoreError: true }) !== undefined) changed = true
    }
    if (changed) this.#rebuild()
  }

  /**
   * A jar to log in again with after Jira forgot this session: every cookie but the session's, so
   * the login reaches the node the balancer now routes this identity to.
   */
  withoutSession (): JiraSession {
    const next = new JiraSession()
    for (const cookie of this.#jar.getCookiesSync(JAR_URL, READ)) {
      if (cookie.key !== SESSION_COOKIE) next.#jar.setCookieSync(cookie.clone() as ToughCookie.Cookie, JAR_URL, { ignoreError: true })
    }
    next.#rebuild()
    return next
  }

  /** The jar as plain data (tough-cookie's serialisation); `new JiraSession(data)` restores it. */
  toJSON (): SerializedJiraSession {
    return this.#jar.serializeSync() as SerializedJiraSession
  }

  #rebuild (): void {
    const cookies = this.#jar.getCookiesSync(JAR_URL, READ)
    let staleAt = Infinity
    let id: string | undefined
    for (const cookie of cookies) {
      const expiry = cookie.expiryTime()
      if (expiry !== undefined && expiry < staleAt) staleAt = expiry
      if (id === undefined && cookie.key === SESSION_COOKIE && cookie.value !== '') id = cookie.value
    }
    const header = cookies.map((c) => c.cookieString()).join('; ')
    this.#staleAt = staleAt
    this.#id = id
    if (header !== this.#header) {
      this.#header = header
      this.#generation++
    }
  }
}

/** A cookie caller's own `Cookie` header on a token call: what Jira sets in answer is not kept. */
export function callerCookies (cookieHeader: string): SessionCookies {
  return { cookieHeader, absorb: () => {} }
}

const PAIR = `${SESSION_COOKIE}=`

/** The first usable session id in a caller's `Cookie` header (its identity). Never throws. */
export function sessionIdIn (cookie: string | undefined): string | undefined {
  if (cookie === undefined) return undefined
  let from = 0
  for (;;) {
    const at = cookie.indexOf(PAIR, from)
    if (at < 0) return undefined
    from = at + PAIR.length
    // Only a whole cookie name counts: start of header or after `;` (optionally spaced).
    let before = at - 1
    while (before >= 0 && (cookie.charCodeAt(before) === 32 || cookie.charCodeAt(before) === 9)) before--
    if (before >= 0 && cookie.charCodeAt(before) !== 59 /* ; */) continue
    let end = cookie.indexOf(';', from)
    if (end < 0) end = cookie.length
    let value = cookie.slice(from, end).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (value !== '' && /^[\x21-\x7e]+$/.test(value)) return value
  }
}

/**
 * The `Cookie` header for a request sent with a proxy-made session: the caller's own cookies,
 * less any of the names the session sets (and any session cookie), then the session's.
 */
export function withSessionCookies (caller: string | undefined, session: string): string {
  if (caller === undefined || caller === '') return session
  const ours = new Set([SESSION_COOKIE])
  for (const pair of session.split(';')) ours.add(nameOf(pair))
  const kept = caller.split(';').map((p) => p.trim()).filter((p) => p !== '' && !ours.has(nameOf(p)))
  if (session !== '') kept.push(session)
  return kept.join('; ')
}

function nameOf (pair: string): string {
  const eq = pair.indexOf('=')
  return (eq < 0 ? pair : pair.slice(0, eq)).trim()
}

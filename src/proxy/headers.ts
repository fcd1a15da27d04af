import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http'
import { withSessionCookies } from '../tokens/session.js'

/**
 * Header work shared by the BigPicture route and the passthrough. Pure functions, unit tested with
 * tables of cases; no I/O.
 */

/** Hop-by-hop headers (RFC 9110 7.6.1) plus what must never travel from a caller to Jira. */
const DROP_REQUEST = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'host', 'expect', 'x-proxy-key', 'http2-settings'
])
const DROP_RESPONSE = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate'
])

const NOTHING_LISTED: readonly string[] = []

/** Header names the sender listed in `Connection`: hop-by-hop too. */
export function connectionListed (value: string | string[] | undefined): readonly string[] {
  // Nearly every message says just one of these: no list to build.
  if (value === undefined || value === 'keep-alive' || value === 'close' || value === 'Keep-Alive') return NOTHING_LISTED
  const text = Array.isArray(value) ? value.join(',') : value
  const out: string[] = []
  for (const part of text.split(',')) {
    const name = part.trim().toLowerCase()
    if (name !== '' && name !== 'close' && name !== 'keep-alive') out.push(name)
  }
  return out
}

export interface Injection {
  /** The value for `Authorization`, or `undefined` to keep the caller's. */
  authorization: string | undefined
  /**
   * The proxy's Jira session cookies, merged over the caller's (whose cookies of the same names,
   * and any session cookie, give way); `undefined` sends the caller's as they are.
   */
  cookie: string | undefined
}

/**
 * The headers to send to Jira: the caller's, minus hop-by-hop and `Connection`-listed ones (dropped
 * before ours are added, so a caller cannot strip what the proxy injects), plus the injection.
 */
export function toJiraHeaders (incoming: IncomingHttpHeaders, injection: Injection): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  const listed = connectionListed(incoming.connection)
  for (const name in incoming) {
    if (DROP_REQUEST.has(name)) continue
    if (listed.length > 0 && listed.includes(name)) continue
    const value = incoming[name]
    if (value !== undefined) out[name] = value
  }
  if (injection.authorization !== undefined) out.authorization = injection.authorization
  // Merged into what survived the drop: a `Connection`-listed Cookie is gone, not revived.
  if (injection.cookie !== undefined) out.cookie = withSessionCookies(typeof out.cookie === 'string' ? out.cookie : undefined, injection.cookie)
  return out
}

export interface ResponseRewrite {
  /** Jira's base URL (origin + context path, no trailing slash). */
  jiraUrl: string
  contextPath: string
  /** The proxy listens on plain HTTP: cookies marked `Secure` would never come back. */
  dropSecure: boolean
  /** Pass no cookie to the caller: they belong to a Jira session the proxy keeps for it. */
  dropCookies: boolean
}

/** Response headers for the caller: hop-by-hop dropped, cookies and `Location` made to work on the proxy. */
export function toClientHeaders (upstream: IncomingHttpHeaders | Record<string, string | string[] | undefined>, rw: ResponseRewrite): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {}
  const listed = connectionListed(upstream.connection)
  for (const name in upstream) {
    if (DROP_RESPONSE.has(name)) continue
    if (listed.length > 0 && listed.includes(name)) continue
    const value = upstream[name]
    if (value === undefined) continue
    if (name === 'set-cookie') {
      if (rw.dropCookies) continue
      out[name] = rewriteSetCookies(value, rw)
    } else if (name === 'location' && typeof value === 'string') {
      out[name] = rewriteLocation(value, rw)
    } else {
      out[name] = value
    }
  }
  return out
}

function rewriteSetCookies (value: string | string[], rw: ResponseRewrite): string[] {
  const out: string[] = []
  for (const line of Array.isArray(value) ? value : [value]) out.push(rewriteSetCookie(line, rw))
  return out
}

/**
 * Makes a Jira cookie work on the proxy's origin: the context path is taken off `Path`, `Domain`
 * is dropped (host-only on the proxy), and on a plain-HTTP listener `Secure` is dropped, along
 * with `SameSite=None` which browsers only accept together with `Secure`.
 */
export function rewriteSetCookie (line: string, rw: Pick<ResponseRewrite, 'contextPath' | 'dropSecure'>): string {
  const parts = line.split(';')
  const out = [parts[0] as string]
  for (let i = 1; i < parts.length; i++) {
    const attr = (parts[i] as string).trim()
    const eq = attr.indexOf('=')
    const name = (eq < 0 ? attr : attr.slice(0, eq)).trim().toLowerCase()
    const value = eq < 0 ? '' : attr.slice(eq + 1).trim()
    if (name === 'domain') continue
    if (rw.dropSecure && (name === 'secure' || (name === 'samesite' && value.toLowerCase() === 'none'))) continue
    if (name === 'path') {
      out.push(`Path=${stripContextPath(value, rw.contextPath)}`)
      continue
    }
    if (attr !== '') out.push(attr)
  }
  return out.join('; ')
}

/** An absolute `Location` into Jira becomes a path on the proxy; a path under the context path loses it. */
export function rewriteLocation (location: string, rw: Pick<ResponseRewrite, 'jiraUrl' | 'contextPath'>): string {
  const base = rw.jiraUrl
  if (location.startsWith(base)) {
    const rest = location.slice(base.length)
    if (rest === '' || rest[0] === '/' || rest[0] === '?' || rest[0] === '#') return rest === '' || rest[0] !== '/' ? `/${rest}` : rest
  }
  if (location.startsWith('/') && !location.startsWith('//')) return stripContextPath(location, rw.contextPath)
  return location
}

function stripContextPath (path: string, contextPath: string): string {
  if (contextPath === '' || !path.startsWith(contextPath)) return path
  const rest = path.slice(contextPath.length)
  if (rest === '') return '/'
  return rest[0] === '/' || rest[0] === '?' || rest[0] === '#' ? (rest[0] === '/' ? rest : `/${rest}`) : path
}

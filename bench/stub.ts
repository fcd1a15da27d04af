import { randomBytes } from 'node:crypto'
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'
import { AFFINITY_COOKIE, BP_AUTH, BP_REAUTH, DOWNLOAD_ROUTE, LOGIN_ROUTE, type StubCommand, type StubStats } from './routes.js'

/**
 * The upstream for the benchmark: as little work per request as node:http allows, so the proxies
 * in front of it are what gets measured. It models only what the proxy relies on: `system/auth`
 * with a session cookie, `system/reauth` with a refresh token, BigPicture calls that need a token
 * issued for their session and not revoked since (as BigPicture, a new token leaves the older ones
 * good), and the REST login and session check of the service identity.
 * Runs in its own process; the orchestrator drives it over IPC.
 */

const AUTH_LIFETIME_S = 15 * 60
const REFRESH_LIFETIME_S = 7 * 24 * 3600
/** Real BigPicture authentication tokens are about this long. */
const TOKEN_LENGTH = 400

// A 1 KiB Jira-like answer, built once.
const JSON_1K = (() => {
  const base = { self: 'https://jira.example.com/rest/api/2/user?username=bench', key: 'bench', name: 'bench', emailAddress: 'bench@example.com', displayName: 'Bench User', active: true, timeZone: 'Europe/Warsaw', locale: 'en_US', pad: '' }
  base.pad = 'x'.repeat(1024 - JSON.stringify(base).length)
  return Buffer.from(JSON.stringify(base))
})()
const DOWNLOAD_CHUNK = Buffer.alloc(64 * 1024, 0x61)

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const HEADER = b64({ alg: 'HS256', typ: 'JWT' })

/** A JWT-shaped token with `exp` in its payload, padded to the usual length. */
function token (sub: string, lifetimeS: number, length: number): string {
  const now = Math.floor(Date.now() / 1000)
  const claims = { sub, iat: now, exp: now + lifetimeS, jti: randomBytes(12).toString('hex'), ctx: '' }
  const signature = randomBytes(32).toString('base64url')
  const bare = `${HEADER}.${b64(claims)}.${signature}`.length
  claims.ctx = 'c'.repeat(Math.max(0, Math.floor((length - bare) * 3 / 4)))
  return `${HEADER}.${b64(claims)}.${signature}`
}

/** A session's authentication tokens still good. */
interface Session { auth: Set<string> }
const sessions = new Map<string, Session>()
const refreshOwners = new Map<string, string>()
/** Sessions opened by a login (any other session id is taken on trust, as a caller's own). */
const loggedIn = new Set<string>()
const stats: StubStats = { logins: 0, auth: 0, reauth: 0, rejected: 0, sessions: 0 }

function sessionIdOf (cookie: string | undefined): string | undefined {
  if (cookie === undefined) return undefined
  const at = cookie.indexOf('JSESSIONID=')
  if (at < 0) return undefined
  const end = cookie.indexOf(';', at)
  return cookie.slice(at + 11, end < 0 ? undefined : end)
}

function send (res: ServerResponse, status: number, body: Buffer | string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function unauthorized (res: ServerResponse): void {
  send(res, 401, '{"error":"unauthorized"}')
}

function handle (req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '/'
  if (url === LOGIN_ROUTE) return req.method === 'POST' ? login(req, res) : sessionCheck(req, res)
  if (req.method === 'POST' || req.method === 'PUT') return sink(req, res)
  if (url.startsWith(DOWNLOAD_ROUTE)) return source(res, Number(url.slice(DOWNLOAD_ROUTE.length)))
  if (!url.startsWith('/rest/softwareplant-')) return send(res, 200, JSON_1K)

  const sessionId = sessionIdOf(req.headers.cookie)
  if (url === BP_AUTH) {
    if (sessionId === undefined) return unauthorized(res)
    stats.auth++
    const authentication = token(sessionId, AUTH_LIFETIME_S, TOKEN_LENGTH)
    const refresh = token(sessionId, REFRESH_LIFETIME_S, TOKEN_LENGTH)
    let session = sessions.get(sessionId)
    if (session === undefined) sessions.set(sessionId, session = { auth: new Set() })
    session.auth.add(authentication)
    refreshOwners.set(refresh, sessionId)
    return send(res, 200, JSON.stringify({ authentication, refresh }))
  }
  if (url === BP_REAUTH) {
    stats.reauth++
    const owner = refreshOwners.get(req.headers.authorization ?? '')
    const session = owner === undefined ? undefined : sessions.get(owner)
    if (owner === undefined || session === undefined) return unauthorized(res)
    const authentication = token(owner, AUTH_LIFETIME_S, TOKEN_LENGTH)
    session.auth.add(authentication)
    return send(res, 200, JSON.stringify({ authentication }))
  }
  const session = sessionId === undefined ? undefined : sessions.get(sessionId)
  if (session === undefined || !session.auth.has(req.headers.authorization ?? '')) {
    stats.rejected++
    return unauthorized(res)
  }
  send(res, 200, JSON_1K)
}

/**
 * `POST /rest/auth/1/session`: any user name and password open a session. The answer sets the
 * session cookie and a balancer's affinity cookie, as a Data Center cluster behind a balancer does.
 */
function login (req: IncomingMessage, res: ServerResponse): void {
  req.resume()
  req.on('end', () => {
    stats.logins++
    const sessionId = `login-${randomBytes(12).toString('hex')}`
    loggedIn.add(sessionId)
    const body = JSON.stringify({ session: { name: 'JSESSIONID', value: sessionId }, loginInfo: { loginCount: stats.logins } })
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-ausername': 'bench-service',
      'set-cookie': [`JSESSIONID=${sessionId}; Path=/; HttpOnly`, `${AFFINITY_COOKIE}=${randomBytes(16).toString('hex')}; Path=/; HttpOnly`]
    })
    res.end(body)
  })
}

/** `GET /rest/auth/1/session`: alive for a session a login opened. */
function sessionCheck (req: IncomingMessage, res: ServerResponse): void {
  const sessionId = sessionIdOf(req.headers.cookie)
  if (sessionId === undefined || !loggedIn.has(sessionId)) return unauthorized(res)
  send(res, 200, JSON.stringify({ self: `${LOGIN_ROUTE}`, name: 'bench-service' }))
}

/** Upload sink: counts the bytes and says how many arrived. */
function sink (req: IncomingMessage, res: ServerResponse): void {
  let bytes = 0
  req.on('data', (chunk: Buffer) => { bytes += chunk.length })
  req.on('end', () => send(res, 200, JSON.stringify({ bytes })))
}

/** Download source: `bytes` bytes, written as the socket drains, never held whole. */
function source (res: ServerResponse, bytes: number): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes })
  let left = bytes
  const pump = (): void => {
    while (left > 0) {
      const chunk = left >= DOWNLOAD_CHUNK.length ? DOWNLOAD_CHUNK : DOWNLOAD_CHUNK.subarray(0, left)
      left -= chunk.length
      if (!res.write(chunk)) return void res.once('drain', pump)
    }
    res.end()
  }
  pump()
}

function control (message: StubCommand): StubStats | null {
  switch (message.cmd) {
    case 'stats':
      return { ...stats, sessions: sessions.size }
    case 'revoke':
      for (const session of sessions.values()) session.auth.clear()
      return null
    case 'reset-counters':
      stats.logins = 0
      stats.auth = 0
      stats.reauth = 0
      stats.rejected = 0
      return null
    case 'forget':
      sessions.clear()
      refreshOwners.clear()
      loggedIn.clear()
      return null
  }
}

const server = createServer({ keepAliveTimeout: 120_000 }, handle)
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ ready: true, port: typeof address === 'object' && address !== null ? address.port : 0 })
})
process.on('message', (message: StubCommand) => {
  process.send?.({ id: message.id, result: control(message) })
})
// The orchestrator going away (even killed) closes the IPC channel: follow it.
process.on('disconnect', () => process.exit(0))

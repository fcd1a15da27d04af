import { randomBytes } from 'node:crypto'
import type { SimulatorControl } from '../src/simulator/index.js'

export type IdentityKind = 'cookie' | 'basic' | 'pat' | 'service'

/** A cookie client's Jira session, obtained by logging in through the proxy. */
export interface CookieSession {
  id: string
  /** When the login that produced it started (ms since the run started). */
  loginStartedMs: number
}

/** One identity the soak drives, with what the invariants need to know about its traffic. */
export interface SoakIdentity {
  /** e.g. `cookie-07`; the Jira user is `soak-cookie-07`. */
  readonly id: string
  readonly kind: IdentityKind
  readonly user: string
  readonly password: string
  readonly pat: string | undefined
  /** Cookie clients: the current session, if logged in. */
  session: CookieSession | undefined
  /**
   * Cookie clients: the other cookies answers set (name to value), kept and sent back as a
   * browser's or an HTTP client's jar does; in a cluster, the balancer's affinity cookie.
   */
  readonly jar: Map<string, string>
  /** Cookie clients: the login in progress, shared by every request that needs it. */
  loginFlight: Promise<CookieSession | undefined> | undefined
  /** Cookie clients: logins attempted through the proxy, and how many got a session. */
  loginAttempts: number
  loginSuccesses: number
  /** BigPicture traffic, for the token-call bound. */
  bigPicture: {
    requests: number
    firstMs: number | undefined
    apps: Set<number>
    /** Requests whose body exceeded MAX_REPLAY_BODY_BYTES (the proxy streams them, once). */
    streamed: number
    /** Requests that overlapped a window in which system/auth fails. */
    inAuthFailureWindows: number
  }
}

/** The share of identities per kind; the service identity is always exactly one. */
export function splitKinds (total: number): Record<IdentityKind, number> {
  const rest = total - 1
  const base = Math.floor(rest / 3)
  const extra = rest - base * 3
  return { cookie: base + (extra > 0 ? 1 : 0), basic: base + (extra > 1 ? 1 : 0), pat: base, service: 1 }
}

/**
 * Creates the identities and registers their users and tokens with the simulator. Every identity
 * is its own Jira user, so the simulator's per-user counters are per-identity counters and a
 * request carried by the wrong identity shows up as the wrong user.
 */
export function createIdentities (total: number, control: SimulatorControl): SoakIdentity[] {
  const counts = splitKinds(total)
  const out: SoakIdentity[] = []
  for (const kind of ['cookie', 'basic', 'pat', 'service'] as const) {
    for (let i = 1; i <= counts[kind]; i++) {
      const id = kind === 'service' ? 'service' : `${kind}-${String(i).padStart(2, '0')}`
      const user = `soak-${id}`
      const password = `pw-${randomBytes(9).toString('base64url')}`
      const pat = kind === 'pat' ? `pat${randomBytes(24).toString('base64url')}` : undefined
      control.addUser(user, password)
      if (pat !== undefined) control.addPat(pat, user)
      out.push({
        id, kind, user, password, pat,
        session: undefined,
        jar: new Map(),
        loginFlight: undefined,
        loginAttempts: 0,
        loginSuccesses: 0,
        bigPicture: { requests: 0, firstMs: undefined, apps: new Set(), streamed: 0, inAuthFailureWindows: 0 }
      })
    }
  }
  return out
}

/** The credential headers a client of this kind sends (cookie clients: only once logged in). */
export function credentialHeaders (identity: SoakIdentity, session: CookieSession | undefined): Record<string, string> {
  switch (identity.kind) {
    case 'cookie':
      // Another cookie next to the session, as a browser-born cookie jar would hold.
      return session === undefined ? {} : { cookie: `atlassian.xsrf.token=SOAK-${identity.id}; ${jarPairs(identity.jar)}JSESSIONID=${session.id}` }
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${identity.user}:${identity.password}`).toString('base64')}` }
    case 'pat':
      return { authorization: `Bearer ${identity.pat as string}` }
    case 'service':
      return {}
  }
}

const jarPairs = (jar: ReadonlyMap<string, string>): string => [...jar].map(([name, value]) => `${name}=${value}; `).join('')

/** The Cookie header of a cookie client that has no session yet (its login): its jar alone. */
export function jarHeader (identity: SoakIdentity): Record<string, string> {
  return identity.jar.size === 0 ? {} : { cookie: jarPairs(identity.jar).slice(0, -2) }
}

/**
 * Keeps what an answer's `Set-Cookie` lines say in a cookie client's jar: a new value replaces the
 * old, an expired one (`Max-Age=0`, `Expires` in the past) is dropped. The session cookie is the
 * client's login, kept apart.
 */
export function keepCookies (jar: Map<string, string>, setCookie: string | string[] | undefined, now = Date.now()): void {
  for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
    const [pair = '', ...attributes] = line.split(';')
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq).trim()
    if (eq <= 0 || name === 'JSESSIONID') continue
    const expired = attributes.some((a) => {
      const [key = '', value = ''] = a.split('=').map((x) => x.trim())
      if (key.toLowerCase() === 'max-age') return Number(value) <= 0
      return key.toLowerCase() === 'expires' && Date.parse(value) <= now
    })
    if (expired) jar.delete(name)
    else jar.set(name, pair.slice(eq + 1).trim())
  }
}

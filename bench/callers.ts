import { Pool } from 'undici'
import { type Bench, SESSIONS } from './context.js'
import type { LoadJob } from './load.js'
import { BP_AUTH, LOGIN_ROUTE, SERVICE_USER, cookieFor } from './routes.js'

/**
 * Who sends the load, and what each caller sends to the product and to bare. The product's
 * clients bring only what a user of the proxy has (a cookie, or nothing); bare's clients bring the
 * session and the token themselves, so Jira's side does the same work for both.
 */
export type CallerKind = 'cookie' | 'service' | 'gateway'

/** How many callers' cookies each connection carries in turn in the gateway mix. */
export const GATEWAY_CALLERS = 200

/** A client of the bare proxy: its Cookie header and the token the stub issued for it. */
export interface BareClient { cookie: string, token: string }

/** What bare's clients send, fetched from the stub once before the load starts. */
export interface BareClients {
  /** One Jira session, as a cookie caller of the product has. */
  cookie: BareClient
  /** A logged-in session's whole jar (session and affinity cookie), as the service identity holds. */
  service: BareClient
  /** One per caller of the gateway mix. */
  gateway: BareClient[]
}

/** The headers of the load: one set for every request, or a sequence each connection cycles through. */
export type Traffic = Pick<LoadJob, 'headers' | 'sequence'>

/** A token the stub issues for the session these cookies carry. */
export async function stubToken (pool: Pool, cookie: string): Promise<string> {
  const res = await pool.request({ path: BP_AUTH, method: 'GET', headers: { cookie } })
  const { authentication } = await res.body.json() as { authentication: string }
  return authentication
}

/** Logs in at the stub as the service account; the jar's Cookie header (every cookie it set). */
async function stubLogin (pool: Pool): Promise<string> {
  const res = await pool.request({ path: LOGIN_ROUTE, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SERVICE_USER) })
  await res.body.dump()
  const lines = res.headers['set-cookie'] ?? []
  return (Array.isArray(lines) ? lines : [lines]).map((line) => line.split(';')[0]).join('; ')
}

const gatewaySession = (side: string, i: number): string => `bench-gateway-${side}-${i}`

export async function fetchBareClients (stubUrl: string): Promise<BareClients> {
  const pool = new Pool(stubUrl, { connections: 8 })
  try {
    const client = async (cookie: string): Promise<BareClient> => ({ cookie, token: await stubToken(pool, cookie) })
    return {
      cookie: await client(cookieFor(SESSIONS.bare)),
      service: await client(await stubLogin(pool)),
      gateway: await Promise.all(Array.from({ length: GATEWAY_CALLERS }, (_, i) => client(cookieFor(gatewaySession('bare', i)))))
    }
  } finally {
    await pool.close()
  }
}

/** What the product's client sends: a cookie, nothing at all (the service identity), or many cookies in turn. */
export function productTraffic (kind: CallerKind, session: string): Traffic {
  switch (kind) {
    case 'cookie': return { headers: { cookie: cookieFor(session) } }
    case 'service': return { headers: {} }
    case 'gateway': return { sequence: Array.from({ length: GATEWAY_CALLERS }, (_, i) => ({ cookie: cookieFor(gatewaySession(session, i)) })) }
  }
}

/** What bare's client sends for the same callers: their cookies and, on BigPicture, their tokens. */
export function bareTraffic (bench: Bench, kind: CallerKind, bigPicture: boolean): Traffic {
  const headersOf = (c: BareClient): Record<string, string> => bigPicture ? { cookie: c.cookie, authorization: c.token } : { cookie: c.cookie }
  if (kind === 'gateway') return { sequence: bench.bareClients.gateway.map(headersOf) }
  return { headers: headersOf(bench.bareClients[kind]) }
}

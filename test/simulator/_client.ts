import type { Simulator } from '../../src/simulator/index.js'

/** The `Authorization` value of HTTP Basic credentials. */
export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

/** The JSESSIONID value out of a Set-Cookie answer, or undefined. */
export function sessionIdFrom (res: Response): string | undefined {
  for (const cookie of res.headers.getSetCookie()) {
    const match = /^JSESSIONID=([^;]+)/.exec(cookie)
    if (match !== null) return match[1]
  }
  return undefined
}

/** Logs in through the REST login and returns the session id. */
export async function login (sim: Simulator, user: string, password: string): Promise<string> {
  const res = await fetch(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password })
  })
  if (res.status !== 200) throw new Error(`login of ${user} answered ${res.status}`)
  const body = await res.json() as { session: { value: string } }
  return body.session.value
}

/** Fetches a BigPicture token pair for a session. */
export async function tokensFor (sim: Simulator, sessionId: string, app = 'softwareplant-bigpicture'): Promise<{ authentication: string, refresh: string }> {
  const res = await fetch(`${sim.url}/rest/${app}/1.0/system/auth`, { headers: { cookie: `JSESSIONID=${sessionId}` } })
  if (res.status !== 200) throw new Error(`system/auth answered ${res.status}`)
  return await res.json() as { authentication: string, refresh: string }
}

/** The decoded payload of a JWT. */
export const jwtPayload = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>

import type { Simulator } from '../../src/simulator/index.js'

/** A BigPicture data request with a session cookie and a raw JWT, as a script would send it. */
export function bigPicture (sim: Simulator, path: string, sessionId: string | undefined, token: string | undefined, init: RequestInit = {}, app = 'softwareplant-bigpicture'): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) }
  if (sessionId !== undefined) headers.cookie = `JSESSIONID=${sessionId}`
  if (token !== undefined) headers.authorization = token
  return fetch(`${sim.url}/rest/${app}/1.0${path}`, { ...init, headers })
}

import type { Simulator } from '../../src/simulator/index.js'

/** The value a Set-Cookie answer gives cookie `name`, or undefined. */
export function setCookieValue (res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    if (line.startsWith(`${name}=`)) return line.slice(name.length + 1).split(';')[0]
  }
  return undefined
}

/** The Set-Cookie line of cookie `name`, or undefined. */
export const setCookieLine = (res: Response, name: string): string | undefined =>
  res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`))

/**
 * A REST login through the balancer: the answer (its body read) and the Cookie header a browser
 * would send next (every cookie the answer set).
 */
export async function clusterLogin (sim: Simulator, user: string, password: string, cookie?: string): Promise<{ res: Response, cookie: string }> {
  const res = await fetch(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie === undefined ? {} : { cookie }) },
    body: JSON.stringify({ username: user, password })
  })
  await res.arrayBuffer()
  if (res.status !== 200) throw new Error(`login of ${user} answered ${res.status}`)
  return { res, cookie: res.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ') }
}

/** Which node answered, read from the per-node request counters before and after one call. */
export async function nodeAnswering (sim: Simulator, call: () => Promise<Response>): Promise<{ node: number, res: Response }> {
  const before = Object.entries(sim.stats.nodes).map(([node, stats]) => [Number(node), stats.requests] as const)
  const res = await call()
  await res.arrayBuffer().catch(() => undefined)
  const moved = before.filter(([node, requests]) => sim.stats.nodes[node]?.requests !== requests)
  if (moved.length !== 1) throw new Error(`expected one node to answer, ${moved.length} did`)
  return { node: (moved[0] as readonly [number, number])[0], res }
}

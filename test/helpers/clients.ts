/** Small client helpers for tests that talk to the proxy the way a user's script would. */

export const BP = '/rest/softwareplant-bigpicture/1.0'
export const GANTT = '/rest/softwareplant-biggantt/1.0'
export const TEMPLATE = '/rest/softwareplant-bigtemplate/1.0'

export const basic = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

/** Logs in through `base` (proxy or Jira) and returns the `JSESSIONID=…` pair a cookie jar would send. */
export async function loginCookie (base: string, username: string, password: string): Promise<string> {
  const res = await restLogin(base, username, password)
  const line = res.headers.getSetCookie().find((c) => c.startsWith('JSESSIONID='))
  if (line === undefined) throw new Error('no JSESSIONID cookie')
  return line.split(';')[0] as string
}

/**
 * Logs in through `base` and returns the Cookie header a browser would send next: every cookie the
 * answer set (a cluster balancer's affinity cookie too).
 */
export async function loginCookies (base: string, username: string, password: string): Promise<string> {
  const res = await restLogin(base, username, password)
  return res.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ')
}

async function restLogin (base: string, username: string, password: string): Promise<Response> {
  const res = await fetch(`${base}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password })
  })
  if (res.status !== 200) throw new Error(`login answered ${res.status}`)
  await res.arrayBuffer()
  return res
}

/** A request whose answer body is read; returns status, headers and parsed JSON (or text). */
export async function call (url: string, init: RequestInit = {}): Promise<{ status: number, headers: Headers, body: unknown }> {
  const res = await fetch(url, init)
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls until `ready()` holds (a counter says a step has happened); throws after 5 s. */
export async function until (ready: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ready(); i++) await sleep(10)
  if (!ready()) throw new Error('the awaited step never happened')
}

/**
 * A request through node:http, for what fetch refuses to send (Connection-listed headers,
 * absolute-form targets, odd paths).
 */
export async function rawRequest (base: string, options: { method?: string, path: string, headers?: Record<string, string>, body?: string | Buffer }): Promise<{ status: number, headers: Record<string, string | string[] | undefined>, text: string }> {
  const { request } = await import('node:http')
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: options.method ?? 'GET', path: options.path, headers: { host: url.host, ...options.headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/**
 * Like `call`, but from another loopback address (any of 127.0.0.0/8 reaches the proxy), so a test
 * can play several clients the proxy tells apart by address. The connections close with the test.
 */
export async function clientAt (t: { teardown (fn: () => unknown): void }, localAddress: string): Promise<(url: string, init?: { method?: string, headers?: Record<string, string>, body?: string }) => Promise<{ status: number, headers: Record<string, string | string[] | undefined>, body: unknown }>> {
  const { Agent, request } = await import('undici')
  const agent = new Agent({ localAddress })
  t.teardown(() => agent.close())
  return async (url, init = {}) => {
    const res = await request(url, { dispatcher: agent, method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body })
    const text = await res.body.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON: keep the text
    }
    return { status: res.statusCode, headers: res.headers, body }
  }
}

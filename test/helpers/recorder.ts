import { type IncomingHttpHeaders, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'

/**
 * A recording hop between the proxy and Jira: forwards every request unchanged and keeps every
 * credential-like value that crossed it (cookies, Authorization values, JSON login bodies, tokens
 * in answers), so a test can search the proxy's logs for each one, and the path and headers of
 * every request, so a test can see what Jira received.
 */
export async function startRecorder (t: { teardown (fn: () => unknown): void }, target: string): Promise<{ url: string, secrets: Set<string>, requests: Array<{ path: string, headers: IncomingHttpHeaders }> }> {
  const base = new URL(target)
  const secrets = new Set<string>()
  const requests: Array<{ path: string, headers: IncomingHttpHeaders }> = []
  const keep = (value: string | undefined): void => { if (value !== undefined && value.length >= 6) secrets.add(value) }
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '/', headers: req.headers })
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      keep(req.headers.authorization)
      for (const m of (req.headers.cookie ?? '').matchAll(/JSESSIONID=([^;\s]+)/g)) keep(m[1])
      collectJson(body.toString('utf8'), keep)
      const headers = { ...req.headers }
      delete headers.host
      delete headers.connection
      request(new URL(req.url ?? '/', base.origin), { method: req.method as 'GET', headers, body: body.length > 0 ? body : undefined })
        .then(async (up) => {
          const text = await up.body.text()
          const setCookie = up.headers['set-cookie']
          for (const line of Array.isArray(setCookie) ? setCookie : setCookie === undefined ? [] : [setCookie]) keep(/^JSESSIONID=([^;]+)/.exec(line)?.[1])
          collectJson(text, keep)
          const out = { ...up.headers }
          delete out['transfer-encoding']
          delete out.connection
          delete out['keep-alive']
          res.writeHead(up.statusCode, out as Record<string, string>)
          res.end(text)
        }, (err: Error) => { res.writeHead(502); res.end(err.message) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${base.pathname.replace(/\/$/, '')}`, secrets, requests }
}

function collectJson (text: string, keep: (v: string | undefined) => void): void {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return
  }
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string' && /password|authentication|refresh|value|token/i.test(key)) keep(v)
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k)
  }
  walk(parsed, '')
}

import { type IncomingMessage, type ServerResponse, createServer, request as httpRequest } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'

export interface ConnectProxy {
  /** `http://127.0.0.1:<port>`, as a user would put it in `HTTPS_PROXY` / `HTTP_PROXY`. */
  url: string
  port: number
  /** Tunnels opened with `CONNECT`, in order, by their `host:port` target. */
  tunnels: string[]
  /** Plain requests forwarded in absolute form (`GET http://host:port/path`), by their full URL. */
  forwarded: string[]
  /** `CONNECT` tunnels plus forwarded requests whose target is `host:port`. */
  countFor: (hostPort: string) => number
  /** Everything that went through, tunnels and forwarded requests together. */
  total: () => number
  /** `Proxy-Authorization` values received, in order (`''` when a request carried none). */
  proxyAuthorization: string[]
  close: () => Promise<void>
}

/**
 * A small egress proxy as found in a corporate network: `CONNECT host:port` opens a TCP tunnel
 * (both directions piped), and an absolute-form request (`GET http://host:port/path`) is forwarded
 * to its target. It listens on 127.0.0.1 and closes when the test ends. `refuseWith` makes it answer
 * every request with that status instead (a proxy whose policy denies the destination); refused
 * requests are counted all the same.
 */
export async function startConnectProxy (
  t: { teardown (fn: () => unknown): void },
  options: { refuseWith?: number } = {}
): Promise<ConnectProxy> {
  const tunnels: string[] = []
  const forwarded: string[] = []
  const proxyAuthorization: string[] = []
  const sockets = new Set<Duplex>()
  const track = (s: Duplex): void => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let target: URL
    try {
      target = new URL(req.url ?? '')
      if (target.protocol !== 'http:') throw new Error('not http')
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('absolute-form http:// target expected')
      return
    }
    forwarded.push(target.href)
    proxyAuthorization.push(req.headers['proxy-authorization'] ?? '')
    if (options.refuseWith !== undefined) {
      res.writeHead(options.refuseWith, { 'content-type': 'text/plain' }).end('denied by policy')
      return
    }
    const headers = { ...req.headers }
    delete headers['proxy-connection']
    delete headers['proxy-authorization']
    const upstream = httpRequest({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: `${target.pathname}${target.search}`,
      headers
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders)
      answer.pipe(res)
    })
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream failed')
      else res.destroy()
    })
    req.pipe(upstream)
  })

  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client)
    const target = req.url ?? ''
    const match = /^(.+):(\d+)$/.exec(target)
    if (match === null) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n')
      return
    }
    tunnels.push(target)
    proxyAuthorization.push(req.headers['proxy-authorization'] ?? '')
    if (options.refuseWith !== undefined) {
      client.end(`HTTP/1.1 ${options.refuseWith} Denied\r\ncontent-length: 0\r\n\r\n`)
      return
    }
    const host = (match[1] as string).replace(/^\[(.*)\]$/, '$1')
    const upstream: Socket = connect(Number(match[2]), host)
    track(upstream)
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => {
      if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n')
      client.destroy()
    })
    client.on('error', () => upstream.destroy())
  })
  server.on('connection', track)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port

  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    const done = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const s of sockets) s.destroy()
    server.closeAllConnections()
    await done
  }
  t.teardown(close)

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    tunnels,
    forwarded,
    countFor: (hostPort) =>
      tunnels.filter((x) => x === hostPort).length +
      forwarded.filter((x) => new URL(x).host === hostPort).length,
    total: () => tunnels.length + forwarded.length,
    proxyAuthorization,
    close
  }
}

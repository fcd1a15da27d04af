import { Agent, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { AffinityPolicy } from './affinity.js'
import type { JiraNode } from './node.js'

// Headers of one connection, not of the message (RFC 9110 §7.6.1): never passed through.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

function endToEnd (headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) kept[name] = value
  return kept
}

function sendBalancerError (res: ServerResponse, status: 502 | 503): void {
  const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable'
  const body = `<html><head><title>${title}</title></head><body><center><h1>${title}</h1></center></body></html>`
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

/**
 * The load balancer in front of the nodes: a request pinned to a running node (by the affinity
 * policy) goes there; any other goes to the next running node in turn. Proxies over real HTTP,
 * streaming both ways; a node that dies mid-exchange gives 502 (or a cut answer once it started).
 */
export class Balancer {
  readonly #nodes: readonly JiraNode[]
  readonly #affinity: AffinityPolicy
  readonly #pools = new Map<number, Agent>()
  #next = 0

  constructor (nodes: readonly JiraNode[], affinity: AffinityPolicy) {
    this.#nodes = nodes
    this.#affinity = affinity
  }

  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const pinned = this.#affinity.pinnedNode(req)
    const pinnedNode = pinned === undefined ? undefined : this.#nodes[pinned - 1]
    const node = pinnedNode?.running === true ? pinnedNode : this.#nextRunning()
    if (node === undefined) {
      req.resume()
      return sendBalancerError(res, 503)
    }
    this.#forward(req, res, node, node !== pinnedNode)
  }

  /** Drops the connections kept to a node (it stopped: they are dead). */
  forget (node: number): void {
    this.#pools.get(node)?.destroy()
    this.#pools.delete(node)
  }

  close (): void {
    for (const node of this.#pools.keys()) this.forget(node)
  }

  #nextRunning (): JiraNode | undefined {
    for (let tried = 0; tried < this.#nodes.length; tried++) {
      const node = this.#nodes[this.#next]
      this.#next = (this.#next + 1) % this.#nodes.length
      if (node?.running === true) return node
    }
    return undefined
  }

  #pool (node: number): Agent {
    let pool = this.#pools.get(node)
    if (pool === undefined) this.#pools.set(node, pool = new Agent({ keepAlive: true }))
    return pool
  }

  #forward (req: IncomingMessage, res: ServerResponse, node: JiraNode, assigned: boolean): void {
    let answerEnded = false
    const upstream = request({
      host: '127.0.0.1',
      port: node.server.port,
      method: req.method,
      path: req.url,
      headers: endToEnd(req.headers),
      agent: this.#pool(node.number)
    })
    upstream.on('response', (answer) => {
      const nodeSetCookies = answer.headers['set-cookie'] ?? []
      const headers = endToEnd(answer.headers)
      const added = this.#affinity.cookiesFor(node.number, assigned, nodeSetCookies)
      if (added.length > 0) headers['set-cookie'] = [...nodeSetCookies, ...added]
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers)
      answer.on('end', () => { answerEnded = true })
      answer.on('error', () => res.destroy())
      // The node went away mid-answer: the client must see a cut answer, not a short one.
      answer.on('close', () => { if (!answer.complete) res.destroy() })
      answer.pipe(res)
    })
    upstream.on('error', () => {
      if (!res.headersSent) sendBalancerError(res, 502)
      else if (!answerEnded) res.destroy()
    })
    req.on('error', () => upstream.destroy())
    res.on('close', () => { if (!res.writableFinished) upstream.destroy() })
    req.pipe(upstream)
  }
}

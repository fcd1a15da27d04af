import diagnosticsChannel from 'node:diagnostics_channel'

/** The header that names a soak request on the wire (the proxy forwards it to Jira untouched). */
export const SOAK_ID_HEADER = 'x-soak-request'

/** How far a request got between the client and the proxy. */
export interface WireProgress {
  headersSent: boolean
  bodySent: boolean
  answerHeaders: number | undefined
  /** Times the proxy forwarded it to Jira (the simulator's server saw the header). */
  reachedJira: number
  /** When each of those arrivals happened, in the soak's clock (ms since the run started). */
  arrivals: number[]
}

interface UndiciRequest { headers?: unknown }

/**
 * Follows the clients' requests through undici's diagnostics channels, so a request that never got
 * an answer can be told apart: never sent (stuck in the client), sent but the body not finished, or
 * fully sent and waiting on the proxy.
 */
export class WireTracker {
  readonly #progress = new Map<string, WireProgress>()
  readonly #clock: () => number
  readonly #balancerPort: number | undefined

  /** `balancerPort`: a cluster's balancer, whose servers' requests are not Jira's (its nodes' are). */
  constructor (clock: () => number, balancerPort?: number) {
    this.#clock = clock
    this.#balancerPort = balancerPort
  }

  readonly #onHeaders = (message: unknown): void => this.#update(message, (p) => { p.headersSent = true })
  readonly #onBody = (message: unknown): void => this.#update(message, (p) => { p.bodySent = true })
  readonly #onAnswer = (message: unknown): void => this.#update(message, (p, m) => {
    p.answerHeaders = (m as { response?: { statusCode?: number } }).response?.statusCode
  })

  /** The simulator is a node:http server in this process: it sees the header the proxy forwarded. */
  readonly #onJira = (message: unknown): void => {
    const { request, socket } = message as { request?: { headers?: Record<string, unknown> }, socket?: { localPort?: number } }
    // In a cluster each request crosses the balancer first; where the JWT is checked is the node.
    if (this.#balancerPort !== undefined && socket?.localPort === this.#balancerPort) return
    const id = request?.headers?.[SOAK_ID_HEADER]
    const p = typeof id === 'string' ? this.#progress.get(id) : undefined
    if (p === undefined) return
    p.reachedJira++
    p.arrivals.push(this.#clock())
  }

  start (): void {
    diagnosticsChannel.subscribe('undici:client:sendHeaders', this.#onHeaders)
    diagnosticsChannel.subscribe('undici:request:bodySent', this.#onBody)
    diagnosticsChannel.subscribe('undici:request:headers', this.#onAnswer)
    diagnosticsChannel.subscribe('http.server.request.start', this.#onJira)
  }

  stop (): void {
    diagnosticsChannel.unsubscribe('undici:client:sendHeaders', this.#onHeaders)
    diagnosticsChannel.unsubscribe('undici:request:bodySent', this.#onBody)
    diagnosticsChannel.unsubscribe('undici:request:headers', this.#onAnswer)
    diagnosticsChannel.unsubscribe('http.server.request.start', this.#onJira)
  }

  track (id: string): void {
    this.#progress.set(id, { headersSent: false, bodySent: false, answerHeaders: undefined, reachedJira: 0, arrivals: [] })
  }

  /** The request's trace, no longer tracked. */
  take (id: string): WireProgress | undefined {
    const p = this.#progress.get(id)
    this.#progress.delete(id)
    return p
  }

  /** In words, for a report line. */
  describe (id: string): string {
    const p = this.#progress.get(id)
    if (p === undefined) return 'no wire trace'
    if (!p.headersSent) return 'never sent: still queued in the client'
    const jira = p.reachedJira === 0 ? 'the proxy never forwarded it to Jira' : `the proxy forwarded it to Jira ${p.reachedJira} time(s)`
    if (p.answerHeaders !== undefined) return `answer headers (${p.answerHeaders}) received, body never completed; ${jira}`
    return `${p.bodySent ? 'fully sent, no answer from the proxy' : 'headers sent, request body not finished'}; ${jira}`
  }

  #update (message: unknown, apply: (p: WireProgress, message: unknown) => void): void {
    const headers = (message as { request?: UndiciRequest }).request?.headers
    if (!Array.isArray(headers)) return
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() !== SOAK_ID_HEADER) continue
      const p = this.#progress.get(String(headers[i + 1]))
      if (p !== undefined) apply(p, message)
      return
    }
  }
}

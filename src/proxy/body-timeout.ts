import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

/** Nothing received for this long while a request body is awaited: the client has stopped. */
export const BODY_TIMEOUT_MS = 60_000

interface Watched {
  req: IncomingMessage
  socket: Socket
  bytes: number
  since: number
  onTimeout: () => void
}

/**
 * Times out request bodies that stop arriving, so a client cannot hold a request (and what it
 * pins) open forever by never sending the rest. One timer for all requests checks each body's
 * connection: it fires when no byte came for `timeoutMs` while the proxy was ready for more (the
 * request's buffer is empty); a body waiting on a slow reader (Jira) is not the client's fault.
 */
export class BodyTimeouts {
  readonly #watched = new Set<Watched>()
  readonly #timeoutMs: number
  #timer: NodeJS.Timeout | undefined

  constructor (timeoutMs: number = BODY_TIMEOUT_MS) {
    this.#timeoutMs = timeoutMs
  }

  /** Watches a request's body until it is complete or its connection is gone. */
  watch (req: IncomingMessage, onTimeout: () => void): void {
    if (req.complete) return
    const socket = req.socket
    this.#watched.add({ req, socket, bytes: socket.bytesRead, since: performance.now(), onTimeout })
    this.#timer ??= setInterval(() => { this.#check() }, Math.max(10, Math.min(1000, this.#timeoutMs / 4))).unref()
  }

  /** Stops the timer (the server is closing). */
  close (): void {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#watched.clear()
  }

  #check (): void {
    const now = performance.now()
    for (const w of this.#watched) {
      if (w.req.complete || w.socket.destroyed) {
        this.#watched.delete(w)
      } else if (w.socket.bytesRead !== w.bytes || w.req.readableLength > 0) {
        w.bytes = w.socket.bytesRead
        w.since = now
      } else if (now - w.since >= this.#timeoutMs) {
        this.#watched.delete(w)
        w.onTimeout()
      }
    }
    if (this.#watched.size === 0) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }
}

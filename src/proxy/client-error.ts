import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'

/** What a request node:http could not parse gets, by its parser's error code. */
const ANSWERS: Record<string, { status: number, code: string, error: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'TOO_MANY_HEADERS', error: "The request's headers are too many or too large." },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', error: 'The request did not arrive in time.' }
}
const MALFORMED = { status: 400, code: 'BAD_REQUEST', error: 'The request is not valid HTTP.' }

/**
 * Fastify's `clientErrorHandler`: a request node:http refused before any route saw it (headers
 * over its limits, a malformed head) gets the proxy's coded JSON like every other refusal, whatever
 * limit the Node version enforces first. A reset connection gets nothing.
 */
export function answerClientError (err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const answer = ANSWERS[err.code ?? ''] ?? MALFORMED
  if (socket.writable) {
    const body = JSON.stringify({ error: answer.error, code: answer.code })
    socket.write(`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(err)
}

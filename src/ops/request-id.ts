import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The header that carries a request's id, in both directions and on to Jira. */
export const REQUEST_ID_HEADER = 'x-request-id'

/**
 * A caller's id is kept only if it is short and made of characters that need no escaping in a
 * log line or a header: anything else could forge log fields or grow every line.
 */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Fastify's `genReqId`: the caller's `X-Request-Id` when it is sane, otherwise a new id made of a
 * random per-process prefix and a counter (unique across replicas and restarts, one short string
 * per request, no randomness on the hot path).
 */
export function createRequestIdGenerator (): (req: IncomingMessage) => string {
  const prefix = randomBytes(5).toString('hex')
  let next = 0
  return (req) => {
    const sent = req.headers[REQUEST_ID_HEADER]
    if (typeof sent === 'string' && SANE_ID.test(sent)) return sent
    // Kept a small integer (V8 SMI) so the counter never turns into a float.
    next = (next + 1) & 0x7fffffff
    return `${prefix}-${next.toString(36)}`
  }
}

import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { RequestContext } from '../context.js'
import { sendJson, sendMethodNotAllowed, sendNotAuthenticated, sendNotFound } from '../http.js'
import type { JiraIdentity } from '../identity.js'
import { countCall } from '../stats.js'

/** `/rest/api/2/myself`. */
export function myselfRoute (ctx: RequestContext, identity: JiraIdentity | null): void {
  const { state, res } = ctx
  countCall(state, 'myself', identity?.user)
  if (identity === null) return sendNotAuthenticated(res)
  const { user } = identity
  sendJson(res, 200, {
    self: `${state.common.baseUrl}/rest/api/2/user?username=${encodeURIComponent(user)}`,
    name: user,
    key: user,
    displayName: user.charAt(0).toUpperCase() + user.slice(1),
    emailAddress: `${user}@example.com`,
    active: true
  })
}

/**
 * `POST /rest/api/2/issue/{key}/attachments`: counts the body chunk by chunk and keeps none of it,
 * so a test can send gigabytes and see whether anything in between buffered or truncated it.
 */
export async function uploadRoute (ctx: RequestContext, identity: JiraIdentity | null, issueKey: string): Promise<void> {
  const { state, req, res } = ctx
  countCall(state, 'attachment', identity?.user)
  if (req.method !== 'POST') return sendMethodNotAllowed(res)
  if (identity === null) return sendNotAuthenticated(res)
  if (String(req.headers['x-atlassian-token'] ?? '').toLowerCase() !== 'no-check') {
    return sendJson(res, 403, { errorMessages: ['XSRF check failed'] })
  }
  let bytes = 0
  for await (const chunk of req as AsyncIterable<Buffer>) bytes += chunk.length
  state.stats.uploads.push({ issueKey, user: identity.user, bytes })
  const id = state.common.nextId++
  sendJson(res, 200, [{ id, self: `${state.common.baseUrl}/rest/api/2/attachment/${id}`, filename: 'upload', size: bytes }])
}

// 251 is prime, so the pattern does not line up with power-of-two buffer sizes; a chunk holds a
// whole number of periods so consecutive chunks continue it seamlessly.
const PATTERN_PERIOD = 251
const PATTERN_CHUNK = Buffer.from(Array.from({ length: PATTERN_PERIOD * 261 }, (_, i) => i % PATTERN_PERIOD))

/** The byte at `offset` of every download: lets a test check content without storing a copy. */
export const downloadByteAt = (offset: number): number => offset % PATTERN_PERIOD

function * patternChunks (size: number): Generator<Buffer> {
  for (let remaining = size; remaining > 0; remaining -= PATTERN_CHUNK.length) {
    yield remaining >= PATTERN_CHUNK.length ? PATTERN_CHUNK : PATTERN_CHUNK.subarray(0, remaining)
  }
}

/** `GET /rest/api/2/attachment/content/{bytes}`: streams that many pattern bytes, generated as it goes. */
export async function downloadRoute (ctx: RequestContext, identity: JiraIdentity | null, sizeText: string): Promise<void> {
  const { state, req, res } = ctx
  countCall(state, 'attachment', identity?.user)
  if (req.method !== 'GET') return sendMethodNotAllowed(res)
  if (identity === null) return sendNotAuthenticated(res)
  const size = /^\d{1,15}$/.test(sizeText) ? Number(sizeText) : Number.NaN
  if (Number.isNaN(size)) return sendNotFound(res)
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size })
  try {
    await pipeline(Readable.from(patternChunks(size), { objectMode: false }), res)
  } catch {
    // The client went away; nothing to answer.
  }
}

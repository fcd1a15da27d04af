import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { mapTransportError } from '../errors.js'
import { type Identity, hasCredentials } from '../identity/types.js'
import type { Metrics } from '../ops/metrics.js'
import type { Outgoing, TokenManager, Trace } from '../tokens/lifecycle.js'
import { type HeldBody, discard, exceedsCap, holdBody, streamBody } from './body.js'
import { closeAfterBody } from './linger.js'
import type { ReplayBudget } from './replay-budget.js'
import { type ResponseRewrite, toClientHeaders, toJiraHeaders } from './headers.js'

export interface BigPictureRouteOptions {
  dispatcher: Dispatcher
  jiraOrigin: string
  contextPath: string
  upstreamTimeoutMs: number
  maxReplayBodyBytes: number
  /** Bytes held for replays across all requests. */
  replayBudget: ReplayBudget
  manager: TokenManager
  metrics: Metrics
  rewrite: ResponseRewrite
}

export interface RequestContext {
  identity: Identity
  trace: Trace
  /** Milliseconds Jira took to answer with headers (the last attempt), for the access log. */
  upstreamMs: number
  /** What the proxy put on the request for its identity (token, session cookies), if anything. */
  sent?: Outgoing | undefined
  /** The code of the proxy's own error answer, for the access log. */
  errorCode?: string | undefined
}

const NO_BODY: HeldBody = { kind: 'none' }
const NO_INJECTION = { authorization: undefined, cookie: undefined }

/**
 * The BigPicture route: inject the identity's JWT (and Jira session), send, and on a 401 refresh
 * and replay once with the same bytes. Everything not replayable streams exactly once.
 */
export function createBigPictureHandler (options: BigPictureRouteOptions) {
  const { dispatcher, jiraOrigin, contextPath, manager, metrics, rewrite } = options
  const timeout = options.upstreamTimeoutMs
  const cap = options.maxReplayBodyBytes
  const budget = options.replayBudget
  const rewriteForOwnSession: ResponseRewrite = { ...rewrite, dropCookies: true }
  const upstreamHistogram = metrics.upstreamSeconds.labels('bigpicture')

  async function send (request: FastifyRequest, ctx: RequestContext, headers: Record<string, string | string[]>, body: HeldBody): Promise<Dispatcher.ResponseData> {
    const started = performance.now()
    try {
      return await dispatcher.request({
        origin: jiraOrigin,
        path: contextPath + request.url,
        method: request.raw.method as Dispatcher.HttpMethod,
        headers,
        body: body.kind === 'buffer' ? body.data : body.kind === 'stream' ? body.stream : null,
        headersTimeout: timeout,
        bodyTimeout: timeout
      })
    } catch (err) {
      throw mapTransportError(err)
    } finally {
      ctx.upstreamMs = performance.now() - started
      upstreamHistogram.observe(ctx.upstreamMs / 1000)
    }
  }

  function relay (reply: FastifyReply, res: Dispatcher.ResponseData, identity: Identity): FastifyReply {
    if (reply.raw.destroyed) {
      discard(res.body)
      return reply
    }
    reply.code(res.statusCode)
    reply.headers(toClientHeaders(res.headers, hasCredentials(identity) ? rewriteForOwnSession : rewrite))
    // If Jira answered before the caller finished sending (a refusal of a streamed upload), the
    // connection cannot be reused, or the rest of the body would be read as the next request.
    closeAfterBody(reply)
    return reply.send(res.body)
  }

  return async function bigPicture (request: FastifyRequest, reply: FastifyReply, ctx: RequestContext, app: number): Promise<FastifyReply> {
    const { identity, trace } = ctx
    const method = request.raw.method
    const bodyless = method === 'GET' || method === 'HEAD'

    if (identity.kind === 'passthrough' || identity.kind === 'none') {
      // Nothing the proxy could refresh, so nothing to replay: the body streams once.
      const res = await send(request, ctx, toJiraHeaders(request.headers, NO_INJECTION, request.id), bodyless ? NO_BODY : streamBody(request.raw))
      return relay(reply, res, identity)
    }

    // The identity is settled (what to send in hand, or refused) before a byte of the body is read.
    // A body that cannot be replayed travels with a token BigPicture has just issued.
    const large = !bodyless && exceedsCap(request.raw.headers, cap)
    let sent = (large ? undefined : manager.ready(identity, app)) ?? await manager.prepare(identity, app, trace, large)
    // Without a token the caller's own session is dead and Jira's 401 is the answer: nothing to hold.
    const body = bodyless ? NO_BODY : large || sent.authorization === undefined ? streamBody(request.raw) : await holdBody(request.raw, cap, { budget, until: reply.raw })
    // It outgrew the cap or the replay budget while being read: a token just issued for it too.
    if (body.kind === 'stream' && !large && sent.authorization !== undefined) sent = await manager.prepare(identity, app, trace, true)
    ctx.sent = sent
    let res = await send(request, ctx, toJiraHeaders(request.headers, sent, request.id), body)
    manager.absorb(identity, sent, res.headers['set-cookie'])

    if (res.statusCode !== 401) return relay(reply, res, identity)
    const anonymous = res.headers['x-ausername'] === 'anonymous'
    // A caller's own dead session is Jira's answer to give; a streamed body cannot be sent again.
    if (anonymous && identity.kind === 'cookie') return relay(reply, res, identity)
    if (body.kind === 'stream') {
      metrics.retries.inc({ outcome: 'not_replayable' })
      return relay(reply, res, identity)
    }

    // Refresh while holding the 401: if nothing better comes of it, that 401 is the answer.
    let next: Outgoing | undefined
    try {
      next = await manager.refused(identity, app, sent, anonymous, trace)
    } catch (err) {
      discard(res.body)
      throw err
    }
    if (next === undefined) {
      metrics.retries.inc({ outcome: 'gave_up' })
      return relay(reply, res, identity)
    }
    await res.body.dump()
    sent = next
    ctx.sent = sent
    trace.retried = true
    res = await send(request, ctx, toJiraHeaders(request.headers, sent, request.id), body)
    manager.absorb(identity, sent, res.headers['set-cookie'])
    metrics.retries.inc({ outcome: `${Math.floor(res.statusCode / 100)}xx` })
    return relay(reply, res, identity)
  }
}

import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { mapTransportError } from '../errors.js'
import { withSessionId } from '../identity/cookies.js'
import { type Identity, type TokenIdentity, hasCredentials } from '../identity/types.js'
import type { Metrics } from '../ops/metrics.js'
import type { TokenManager, Trace } from '../tokens/lifecycle.js'
import type { IdentityTokens, TokenStore } from '../tokens/store.js'
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
  store: TokenStore
  metrics: Metrics
  rewrite: ResponseRewrite
}

export interface RequestContext {
  identity: Identity
  trace: Trace
  /** Milliseconds Jira took to answer with headers (the last attempt), for the access log. */
  upstreamMs: number
  /** The service identity's Jira session put on a plain Jira request, if any. */
  sessionId?: string | undefined
  /** A Basic/PAT identity's Jira session put on a plain Jira request next to its credentials. */
  credentialSession?: string | undefined
  /** The code of the proxy's own error answer, for the access log. */
  errorCode?: string | undefined
}

const NO_BODY: HeldBody = { kind: 'none' }

/**
 * The BigPicture route: inject the identity's JWT (and Jira session), send, and on a 401 refresh
 * and replay once with the same bytes. Everything not replayable streams exactly once.
 */
export function createBigPictureHandler (options: BigPictureRouteOptions) {
  const { dispatcher, jiraOrigin, contextPath, manager, store, metrics, rewrite } = options
  const timeout = options.upstreamTimeoutMs
  const cap = options.maxReplayBodyBytes
  const budget = options.replayBudget
  const rewriteForService: ResponseRewrite = { ...rewrite, dropSessionCookies: true }
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
    reply.headers(toClientHeaders(res.headers, identity.kind === 'service' ? rewriteForService : rewrite))
    // If Jira answered before the caller finished sending (a refusal of a streamed upload), the
    // connection cannot be reused, or the rest of the body would be read as the next request.
    closeAfterBody(reply)
    return reply.send(res.body)
  }

  /** The Jira session to present: the caller's own (already in its Cookie header) or the proxy's. */
  async function sessionFor (identity: TokenIdentity, entry: IdentityTokens, trace: Trace): Promise<string | undefined> {
    if (!hasCredentials(identity)) return undefined
    return entry.sessionId ?? await manager.session(identity, entry, trace)
  }

  return async function bigPicture (request: FastifyRequest, reply: FastifyReply, ctx: RequestContext, app: number): Promise<FastifyReply> {
    const { identity, trace } = ctx
    const method = request.raw.method
    const bodyless = method === 'GET' || method === 'HEAD'

    if (identity.kind === 'passthrough' || identity.kind === 'none') {
      // Nothing the proxy could refresh, so nothing to replay: the body streams once.
      const res = await send(request, ctx, toJiraHeaders(request.headers, { authorization: undefined, sessionCookie: undefined }, withSessionId), bodyless ? NO_BODY : streamBody(request.raw))
      return relay(reply, res, identity)
    }

    const entry = store.get(identity.key)
    // The identity is settled (a token in hand, or refused) before a byte of the body is read.
    const large = !bodyless && exceedsCap(request.raw.headers, cap)
    let token: string | undefined
    let session: string | undefined
    try {
      // A body that cannot be replayed travels with a token BigPicture has just issued.
      token = large
        ? await manager.fresh(identity, entry, app, trace)
        : manager.current(entry, app) ?? await manager.refresh(identity, entry, app, entry.app(app)?.authentication, trace)
      session = await sessionFor(identity, entry, trace)
    } finally {
      store.settle(identity.key)
    }
    // Without a token the caller's own session is dead and Jira's 401 is the answer: nothing to hold.
    const body = bodyless ? NO_BODY : large || token === undefined ? streamBody(request.raw) : await holdBody(request.raw, cap, { budget, until: reply.raw })
    if (body.kind === 'stream' && !large && token !== undefined) {
      // It outgrew the cap or the replay budget while being read: a token just issued for it too.
      token = await manager.fresh(identity, entry, app, trace)
      session = await sessionFor(identity, entry, trace)
    }
    let res = await send(request, ctx, toJiraHeaders(request.headers, { authorization: token, sessionCookie: session }, withSessionId), body)

    if (res.statusCode !== 401) return relay(reply, res, identity)
    const anonymous = res.headers['x-ausername'] === 'anonymous'
    // A caller's own dead session is Jira's answer to give; a streamed body cannot be sent again.
    if (anonymous && identity.kind === 'cookie') return relay(reply, res, identity)
    if (body.kind === 'stream') {
      metrics.retries.inc({ outcome: 'not_replayable' })
      return relay(reply, res, identity)
    }

    // Refresh while holding the 401: if nothing better comes of it, that 401 is the answer.
    let fresh: string | undefined
    try {
      if (anonymous && session !== undefined) manager.sessionDied(entry, session)
      fresh = await manager.refresh(identity, entry, app, token, trace, true)
      session = await sessionFor(identity, entry, trace)
    } catch (err) {
      discard(res.body)
      throw err
    } finally {
      store.settle(identity.key)
    }
    if (fresh === undefined || fresh === token) {
      metrics.retries.inc({ outcome: 'gave_up' })
      return relay(reply, res, identity)
    }
    await res.body.dump()
    token = fresh
    trace.retried = true
    res = await send(request, ctx, toJiraHeaders(request.headers, { authorization: token, sessionCookie: session }, withSessionId), body)
    metrics.retries.inc({ outcome: `${Math.floor(res.statusCode / 100)}xx` })
    return relay(reply, res, identity)
  }
}

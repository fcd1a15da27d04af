import type { IncomingHttpHeaders } from 'node:http'
import replyFrom from '@fastify/reply-from'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { mapTransportError } from '../errors.js'
import { hasCredentials } from '../identity/types.js'
import type { Metrics } from '../ops/metrics.js'
import type { Outgoing, TokenManager } from '../tokens/lifecycle.js'
import type { RequestContext } from './bigpicture.js'
import { discard, hasBody } from './body.js'
import { closeAfterBody } from './linger.js'
import { type ResponseRewrite, toClientHeaders, toJiraHeaders } from './headers.js'

export interface ProxyRoutesOptions {
  dispatcher: Dispatcher
  jiraOrigin: string
  contextPath: string
  manager: TokenManager
  metrics: Metrics
  rewrite: ResponseRewrite
  bigPicture: (request: FastifyRequest, reply: FastifyReply, ctx: RequestContext, app: number) => Promise<FastifyReply>
}

const NO_INJECTION = { authorization: undefined, cookie: undefined }

/**
 * Every request that is not the proxy's own: the BigPicture route for BigPicture roots, the
 * streamed passthrough (@fastify/reply-from, the engine of @fastify/http-proxy) for the rest.
 *
 * reply-from is used directly rather than through @fastify/http-proxy: that plugin re-parses and
 * re-validates each destination with `new URL()`, which the route classifier has already done
 * (dot segments and malformed paths never get here), and it is the largest per-request cost the
 * passthrough would otherwise have over the requests it forwards.
 */
export async function proxyRoutes (app: FastifyInstance, options: ProxyRoutesOptions): Promise<void> {
  const { contextPath, manager, rewrite, bigPicture } = options
  const rewriteForOwnSession: ResponseRewrite = { ...rewrite, dropCookies: true }
  const jiraHistogram = options.metrics.upstreamSeconds.labels('jira')

  // Bodies are never parsed: each streams to Jira (or into the BigPicture replay buffer) as sent.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  await app.register(replyFrom, {
    base: options.jiraOrigin,
    undici: options.dispatcher as never,
    disableRequestLogging: true
  })

  const fromOptions = {
    // A transparent proxy does not silently repeat a caller's request (reply-from retries GETs on 503).
    retryDelay: () => null,
    rewriteRequestHeaders: (request: FastifyRequest, headers: IncomingHttpHeaders) => {
      const ctx = request.ctx as RequestContext
      const out = toJiraHeaders(headers, ctx.sent ?? NO_INJECTION, request.id)
      out.host = headers.host as string
      ctx.upstreamMs = performance.now()
      return out
    },
    rewriteHeaders: (headers: IncomingHttpHeaders, request?: FastifyRequest) => {
      const ctx = (request as FastifyRequest).ctx as RequestContext
      const identity = ctx.identity
      if (!hasCredentials(identity)) return toClientHeaders(headers, rewrite) as IncomingHttpHeaders
      // The cookies belong to the identity's Jira session, kept by the proxy: for Basic and PAT
      // callers, the session Jira opened for their credentials (none was sent, or it had died), so
      // their next request, plain Jira or BigPicture, reuses it.
      manager.absorb(identity, ctx.sent, headers['set-cookie'])
      return toClientHeaders(headers, rewriteForOwnSession) as IncomingHttpHeaders
    },
    onResponse: (request: FastifyRequest, reply: FastifyReply, raw: unknown) => {
      const res = raw as { statusCode: number, headers: IncomingHttpHeaders, stream: NodeJS.ReadableStream & { destroy: () => void } }
      const ctx = request.ctx as RequestContext
      ctx.upstreamMs = performance.now() - ctx.upstreamMs
      jiraHistogram.observe(ctx.upstreamMs / 1000)
      const sent = ctx.sent
      manager.jiraJudged(ctx.identity, sent, res.statusCode, res.headers)
      if (ctx.identity.kind === 'service' && sent !== undefined && res.statusCode === 401 && res.headers['x-ausername'] === 'anonymous') {
        // The proxy's own session died in Jira (expired, or its cluster node is gone). A request
        // without a body was not applied and costs nothing to send again: log in once more and
        // replay it; others get the 401 and the next request logs in.
        manager.jiraRefused(ctx.identity, sent, ctx.trace)
        if (!ctx.trace.retried && !hasBody(request.headers)) {
          discard(res.stream)
          ctx.trace.retried = true
          Promise.resolve(handler(request, reply)).catch((err: unknown) => reply.send(err))
          return
        }
      }
      // If Jira answered before the caller finished sending (it refused an upload), close after it.
      closeAfterBody(reply)
      reply.send(res.stream)
    },
    onError: (reply: FastifyReply, { error }: { error: Error }) => {
      const ctx = reply.request.ctx
      if (ctx !== null) ctx.upstreamMs = -1
      // Already answered (the caller's body timed out, and the upload toward Jira broke off).
      if (reply.sent || reply.raw.headersSent) return
      reply.send(mapTransportError(error))
    }
  }

  function forward (request: FastifyRequest, reply: FastifyReply): FastifyReply {
    // The path only: reply-from appends the caller's query string exactly as it was sent.
    const url = request.url
    const q = url.indexOf('?')
    return reply.from(contextPath + (q < 0 ? url : url.slice(0, q)), fromOptions as never)
  }

  function handler (request: FastifyRequest, reply: FastifyReply): FastifyReply | Promise<FastifyReply> {
    const route = request.proxyRoute
    const ctx = request.ctx as RequestContext
    if (route?.family === 'bigpicture') return bigPicture(request, reply, ctx, route.app)
    const identity = ctx.identity
    if (!hasCredentials(identity)) return forward(request, reply)
    // Jira opens a session for every request with credentials and no session cookie (never a new
    // session per request): a Basic or PAT caller's session goes alongside its credentials, and
    // Jira uses it while it lives and falls back to the credentials when it has died.
    const sent = manager.forJira(identity, ctx.trace)
    if (!(sent instanceof Promise)) {
      ctx.sent = sent
      return forward(request, reply)
    }
    return sent.then((ready: Outgoing | undefined) => {
      ctx.sent = ready
      return forward(request, reply)
    })
  }

  app.all('/', handler)
  app.all('/*', handler)
}

import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import type { Logger } from 'pino'
import type { Dispatcher } from 'undici'
import type { Config } from './config.js'
import { createAccessWriter } from './logger.js'
import { ProxyError, serviceIdentityForbidden } from './errors.js'
import { ServiceAccess } from './identity/access.js'
import { keyPepper, label } from './identity/hash.js'
import { createIdentityResolver } from './identity/resolve.js'
import type { Identity } from './identity/types.js'
import { opsRoutes } from './ops/health.js'
import { Metrics } from './ops/metrics.js'
import { openStore } from './store/open.js'
import type { SharedStore } from './store/ports.js'
import { type SecretUpdate, applySecrets } from './ops/reload.js'
import { REQUEST_ID_HEADER, createRequestIdGenerator } from './ops/request-id.js'
import { httpsServerOptions } from './ops/tls.js'
import { answerClientError } from './proxy/client-error.js'
import { type RequestContext, createBigPictureHandler } from './proxy/bigpicture.js'
import { abandonBody, hasBody } from './proxy/body.js'
import { BodyTimeouts } from './proxy/body-timeout.js'
import { ReplayBudget, defaultReplayBudget } from './proxy/replay-budget.js'
import { createJiraDispatcher } from './proxy/dispatcher.js'
import { proxyRoutes } from './proxy/passthrough.js'
import { createBrowserGuard } from './proxy/guard.js'
import { closeAfterBody, hurryLingering } from './proxy/linger.js'
import type { ResponseRewrite } from './proxy/headers.js'
import { scopeServiceIdentity } from './proxy/service-scope.js'
import { INVALID_ROUTE, PROXY_ROUTE, type Route, createRouteClassifier } from './proxy/route.js'
import { AuthClient } from './tokens/auth-client.js'
import { TokenManager } from './tokens/lifecycle.js'
import { LoginGuard, type LoginGuardOptions } from './tokens/login-guard.js'
import { type LoginRules, SharedLoginGuard, sharedGuardOptions } from './tokens/shared-guard.js'
import { TokenStore } from './tokens/store.js'
import { NODE_VERSION, VERSION } from './version.js'

/** Header names and values node:http keeps (the first 1000 headers); beyond them it drops silently. */
const KEPT_HEADER_LINES = 2000

declare module 'fastify' {
  interface FastifyRequest {
    proxyRoute: Route | null
    ctx: RequestContext | null
  }
}

export interface AppOptions {
  logger: Logger
  /** Replaces the HTTP client toward Jira (tests use it to count connections). */
  dispatcher?: Dispatcher
  loginGuard?: LoginGuardOptions
  /** Collect Node process metrics (off in tests that build many apps). */
  processMetrics?: boolean
  /** How long a request body may stop arriving before the request times out (default 60 s). */
  bodyTimeoutMs?: number
  /** Bytes of request bodies held for a replay across all requests (default: see replay-budget.ts). */
  replayBudgetBytes?: number
}

export interface ProxyApp {
  app: FastifyInstance
  metrics: Metrics
  loginGuard: LoginGuard
  /** The login guard as the token manager asks it: shared by replicas with a store. */
  loginRules: LoginRules
  store: TokenStore
  /** The store replicas share (`STORE_URL`), failing open; `undefined` without one. */
  sharedStore: SharedStore | undefined
  /** SIGHUP: clears login holds and puts secrets re-read from their files in use. */
  reload: (update: SecretUpdate) => void
}

/**
 * Builds the proxy: routing, identity, tokens, the BigPicture route and the passthrough, plus its
 * own endpoints. Never listens and never touches the process; `cli.ts` owns that.
 */
export async function buildApp (config: Config, options: AppOptions): Promise<ProxyApp> {
  const dispatcher = options.dispatcher ?? createJiraDispatcher(config)
  const accessLog = createAccessWriter(options.logger)
  const metrics = new Metrics({ processMetrics: options.processMetrics ?? true, version: VERSION, node: NODE_VERSION })
  const loginGuard = new LoginGuard(options.loginGuard)
  const store = new TokenStore(config.identityCacheMax)
  const sharedStore = config.store === undefined ? undefined : await openStore(config.store, { metrics, log: options.logger })
  // Token calls get connections of their own, so a refresh never queues behind the very requests
  // that wait for it (a refresh storm would otherwise stretch every waiter's latency).
  const tokenDispatcher = options.dispatcher ?? createJiraDispatcher(config, 16)
  const client = new AuthClient(
    { dispatcher: tokenDispatcher, jiraOrigin: config.jiraOrigin, contextPath: config.contextPath, timeoutMs: config.upstreamTimeoutMs },
    (kind, outcome, seconds) => {
      metrics.tokenCall(kind, outcome, seconds)
      options.logger.debug({ kind, outcome, ms: Math.round(seconds * 10000) / 10 }, 'token call')
    }
  )
  const loginRules = sharedStore === undefined ? loginGuard : new SharedLoginGuard(loginGuard, sharedStore.logins, sharedGuardOptions(options.loginGuard))
  // A replica's lock on a token call or login holds the others back no longer than that call may take.
  const shared = sharedStore === undefined ? undefined : { store: sharedStore, lockTtlMs: config.upstreamTimeoutMs + 1000 }
  const manager = new TokenManager({ client, store, guard: loginRules, shared, metrics, log: options.logger, apps: config.apps, refreshSkewMs: config.refreshSkewMs, newSessionRate: { perSecond: config.newSessionsPerSecond, burst: config.newSessionsPerSecond * 5 } })
  const access = new ServiceAccess(config.service, config.proxyApiKeys)
  // Replicas sharing a store must find an identity under the same key.
  const resolveIdentity = createIdentityResolver(access, [], keyPepper(config.store?.secret))
  const classify = createRouteClassifier(config.apps)
  const checkBrowser = createBrowserGuard({ allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins, listenHost: config.host })
  const rewrite: ResponseRewrite = { jiraUrl: config.jiraUrl, contextPath: config.contextPath, dropSecure: config.listenerTls === undefined, dropCookies: false }
  const replayBudget = new ReplayBudget(options.replayBudgetBytes ?? defaultReplayBudget(config.maxReplayBodyBytes))
  const bodyTimeouts = new BodyTimeouts(options.bodyTimeoutMs)
  const bigPictureRoute = createBigPictureHandler({
    dispatcher,
    jiraOrigin: config.jiraOrigin,
    contextPath: config.contextPath,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    maxReplayBodyBytes: config.maxReplayBodyBytes,
    replayBudget,
    manager,
    metrics,
    rewrite
  })

  const app = Fastify({
    // HTTPS when configured; typed as the plain server, which is all the rest of the app uses.
    ...(config.listenerTls === undefined ? {} : { https: httpsServerOptions(config.listenerTls.material) as unknown as null }),
    loggerInstance: options.logger as FastifyBaseLogger,
    clientErrorHandler: answerClientError,
    // No child logger per request: the proxy's own lines carry `reqId` themselves, and a child
    // per request costs more than the access-log line it would serve.
    childLoggerFactory: (logger) => logger,
    // A caller's sane X-Request-Id is kept (echoed, logged, sent to Jira); otherwise one is made.
    genReqId: createRequestIdGenerator(),
    // One access-log line per request is written in onResponse; Fastify's own two lines are off.
    logController: new LogController({ disableRequestLogging: true }),
    // Absolute-form targets (`GET http://elsewhere/x`) keep only their path: the target is always Jira.
    rewriteUrl: (req) => absoluteToOrigin(req.url ?? '/'),
    requestTimeout: 0,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 8192 },
    // A path the router cannot percent-decode gets the proxy's own answer and an access-log line.
    frameworkErrors: (err, request, reply) => {
      const answer = reply as unknown as FastifyReply
      // Answered outside any route, where no hook runs: the access-log line is written here.
      answer.raw.once('finish', () => { answered(request, answer) })
      answer.header(REQUEST_ID_HEADER, request.id)
      if (err.code !== 'FST_ERR_BAD_URL') return answer.code(400).send({ error: err.message, code: 'BAD_REQUEST' })
      request.proxyRoute = INVALID_ROUTE
      return answer.code(400).send(new ProxyError('INVALID_PATH', 'The request path is malformed or contains dot segments.').toJSON())
    }
  })
  // Fastify decorations must not share an object between requests: start empty, set in onRequest.
  app.decorateRequest<Route | null>('proxyRoute', null)
  app.decorateRequest('ctx', null)

  app.setErrorHandler((err: Error & { statusCode?: number, code?: string }, request, reply) => {
    // If this answer goes out before the caller's body has fully arrived, the rest of it would be
    // read as the next request on this connection: close once the client has finished sending.
    closeAfterBody(reply)
    if (err instanceof ProxyError) {
      // Expected refusals are told by the access-log line (its `code`); only a cause is news here.
      if (request.ctx !== null) request.ctx.errorCode = err.code
      if (err.cause !== undefined) request.log.warn({ reqId: request.id, code: err.code, cause: describeCause(err.cause) }, err.message)
      if (err.headers !== undefined) reply.headers(err.headers)
      return reply.code(err.statusCode).send(err.toJSON())
    }
    const status = err.statusCode ?? 500
    if (status < 500) {
      return reply.code(status).send({ error: err.message, code: status === 413 ? 'BODY_TOO_LARGE' : 'BAD_REQUEST' })
    }
    // 5xx details stay in the log; the caller gets a stable, harmless sentence.
    request.log.error({ reqId: request.id, err }, 'request failed')
    return reply.code(500).send(new ProxyError('INTERNAL_ERROR', 'The proxy failed to handle this request.').toJSON())
  })

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'No such endpoint.', code: 'NOT_FOUND' }))

  const traceRequests = options.logger.isLevelEnabled('trace')
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id)
    const route = classify(request.url)
    request.proxyRoute = route
    try {
      // node:http keeps only the first 1000 headers and drops the rest silently, a Cookie or an
      // X-Proxy-Key among them: the request would not be what its sender meant.
      if (request.raw.rawHeaders.length > KEPT_HEADER_LINES) throw new ProxyError('TOO_MANY_HEADERS', 'The request has more header lines than the proxy keeps.')
      // Probes (Kubernetes sends the pod IP as Host) may read the proxy's own endpoints; nothing
      // there acts on anyone's behalf.
      if (route !== PROXY_ROUTE || request.method !== 'GET') checkBrowser(request.headers.host, request.headers.origin)
      if (route === INVALID_ROUTE) throw new ProxyError('INVALID_PATH', 'The request path is malformed or contains dot segments.')
      if (route.family !== 'proxy') {
        let identity = resolveIdentity({ headers: request.headers, remoteAddress: request.socket.remoteAddress })
        if (identity.kind === 'service') identity = scopeServiceIdentity(identity, route, request.method, request.headers, request.url)
        // Refused before a byte of the body is read: a caller that may not use the service identity
        // cannot make the proxy hold its body.
        if (route.family === 'bigpicture' && identity.kind === 'none' && identity.serviceRefused) throw serviceIdentityForbidden()
        forwardedFor(request.headers, request.socket.remoteAddress)
        request.ctx = { identity, trace: { refreshed: false, loggedIn: false, retried: false, client: request.socket.remoteAddress, since: Date.now() }, upstreamMs: -1 }
      }
    } catch (err) {
      done(err as Error)
      return
    }
    if (hasBody(request.headers) && route !== PROXY_ROUTE) bodyTimeouts.watch(request.raw, () => { bodyTimedOut(request, reply) })
    if (traceRequests) request.log.trace({ reqId: request.id, method: request.method, path: loggedPath(request.url), family: route.family }, 'request received')
    done()
  })

  const recordRequest = metrics.requestRecorder()
  /** Counts an answered request and writes its access-log line. */
  function answered (request: FastifyRequest, reply: FastifyReply): void {
    // Refused before routing (Host, Origin): the proxy answered it itself.
    const family = request.proxyRoute?.family ?? 'proxy'
    recordRequest(family, reply.statusCode, reply.elapsedTime / 1000)
    if (config.accessLog && family !== 'proxy') {
      // A request the router could not take has no decorations at all.
      const ctx = request.ctx ?? null
      accessLog({
        reqId: request.id,
        method: request.method,
        path: loggedPath(request.url),
        family,
        status: reply.statusCode,
        identity: ctx === null ? undefined : identityLabel(ctx.identity),
        upstreamMs: ctx === null || ctx.upstreamMs < 0 ? undefined : Math.round(ctx.upstreamMs * 10) / 10,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        refreshed: ctx?.trace.refreshed,
        loggedIn: ctx?.trace.loggedIn,
        retried: ctx?.trace.retried,
        code: ctx?.errorCode
      })
    }
  }
  app.addHook('onResponse', (request, reply, done) => {
    answered(request, reply)
    done()
  })

  await app.register(opsRoutes, {
    dispatcher,
    jiraOrigin: config.jiraOrigin,
    contextPath: config.contextPath,
    metrics,
    store: sharedStore,
    sample: () => {
      metrics.identities.set(store.size)
      metrics.replayBytesHeld.set(replayBudget.held)
      const counts = loginGuard.counts()
      for (const [state, n] of Object.entries(counts)) metrics.loginStates.set({ state }, n)
    }
  })
  app.all('/_proxy/*', async (_request, reply) => reply.code(404).send({ error: 'No such proxy endpoint.', code: 'NOT_FOUND' }))

  await app.register(proxyRoutes, {
    dispatcher,
    jiraOrigin: config.jiraOrigin,
    contextPath: config.contextPath,
    manager,
    metrics,
    rewrite,
    bigPicture: quietOnceAnswered(bigPictureRoute)
  })

  // Draining: a connection whose last answer is sent while closing gets a 1 ms keep-alive and
  // idle ones are closed as they appear, so a keep-alive client cannot hold shutdown for its
  // timeout. (No per-request hook: this costs the hot path nothing.)
  let sweeper: NodeJS.Timeout | undefined
  app.addHook('preClose', async () => {
    hurryLingering(app.server)
    app.server.keepAliveTimeout = 1
    sweeper = setInterval(() => app.server.closeIdleConnections(), 100)
    sweeper.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(sweeper)
    bodyTimeouts.close()
    await Promise.all([dispatcher.close(), tokenDispatcher === dispatcher ? undefined : tokenDispatcher.close(), sharedStore?.close()]).catch(() => {})
  })

  const reload = (update: SecretUpdate): void => {
    void loginRules.reset()
    applySecrets(update, access, app.server)
  }
  return { app, metrics, loginGuard, loginRules, store, sharedStore, reload }
}

/**
 * A request whose body stopped arriving: answered 408 if nothing was sent yet, cut otherwise; its
 * connection closes. Whatever was reading the body gives up quietly.
 */
function bodyTimedOut (request: FastifyRequest, reply: FastifyReply): void {
  abandonBody(request.raw)
  if (request.ctx !== null) request.ctx.errorCode = 'BODY_TIMEOUT'
  if (reply.sent || reply.raw.headersSent) {
    request.raw.socket.destroy()
    return
  }
  // Once the answer is out, the body is ended for whatever still reads it (an upload toward Jira
  // would otherwise wait for it until its own timeout). The client sends nothing, so nothing unread
  // is lost by closing.
  reply.raw.once('finish', () => { request.raw.destroy() })
  reply.send(new ProxyError('BODY_TIMEOUT', 'The request body stopped arriving; the proxy stopped waiting for it.'))
}

/**
 * The BigPicture route, whose work may still fail after its request was answered (the body timed
 * out and the upload toward Jira broke off): that failure is news to no one.
 */
type BigPictureRoute = ReturnType<typeof createBigPictureHandler>

function quietOnceAnswered (route: BigPictureRoute): BigPictureRoute {
  return async (request, reply, ctx, app) => {
    try {
      return await route(request, reply, ctx, app)
    } catch (err) {
      if (reply.sent || reply.raw.headersSent) return reply
      throw err
    }
  }
}

function absoluteToOrigin (url: string): string {
  if (url.charCodeAt(0) === 47 /* / */) return url
  try {
    const parsed = new URL(url)
    return parsed.pathname + parsed.search
  } catch {
    return '/'
  }
}

/** The path for a log line: no query string, and no `;jsessionid=` session id. */
function loggedPath (url: string): string {
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  return path.includes(';') ? path.replace(/(;jsessionid=)[^;/]*/gi, '$1[redacted]') : path
}

/**
 * The caller's address is appended to `X-Forwarded-For` (and to `Forwarded`, when sent), so Jira
 * never sees a caller's claim alone as the client address.
 */
function forwardedFor (headers: IncomingHttpHeaders, address: string | undefined): void {
  if (address === undefined) return
  const claimed = headers['x-forwarded-for']
  headers['x-forwarded-for'] = claimed === undefined ? address : `${claimed}, ${address}`
  const forwarded = headers.forwarded
  if (forwarded !== undefined) headers.forwarded = `${forwarded}, for=${address.includes(':') ? `"[${address}]"` : address}`
}

/** The transport error behind a 502/504 in one line: its code and message, no stack. */
function describeCause (cause: unknown): string {
  const c = cause as { code?: string, message?: string, cause?: { code?: string, message?: string } }
  const inner = c.cause === undefined ? '' : ` (${c.cause.code ?? ''} ${c.cause.message ?? ''})`
  return `${c.code ?? 'error'}: ${c.message ?? String(cause)}${inner}`
}

function identityLabel (identity: Identity): string {
  return 'key' in identity ? label(identity) : identity.kind
}

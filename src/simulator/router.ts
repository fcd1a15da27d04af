import type { IncomingMessage, ServerResponse } from 'node:http'
import { setUserHeader, type RequestContext } from './context.js'
import { BodyTooLargeError, sendJson, sendNotFound, sendText, sleep } from './http.js'
import { resolveIdentity, type JiraIdentity } from './identity.js'
import { authRoute, BIGPICTURE_APPS, bigPictureRoute, reauthRoute } from './routes/bigpicture.js'
import { downloadRoute, myselfRoute, uploadRoute } from './routes/jira-api.js'
import { sessionRoute } from './routes/jira-session.js'
import type { SimulatorState } from './state.js'
import { countCall } from './stats.js'
import type { CallKind } from './types.js'

type Target = { segments: string[], query: URLSearchParams } | 'outside' | 'bad'

/** Splits the request target below the context path into decoded segments, as Tomcat would. */
function parseTarget (rawUrl: string, contextPath: string): Target {
  if (rawUrl === '*') return 'outside'
  let url: URL
  try {
    // Origin form is appended to a base rather than resolved against it, so `//x/y` stays a path.
    url = rawUrl.startsWith('/') ? new URL(`http://simulator.invalid${rawUrl}`) : new URL(rawUrl)
  } catch {
    return 'bad'
  }
  // Tomcat merges repeated slashes; WHATWG URL parsing has already removed dot segments.
  const path = url.pathname.replace(/\/{2,}/g, '/')
  if (path !== contextPath && !path.startsWith(`${contextPath}/`)) return 'outside'
  const segments: string[] = []
  for (const raw of path.slice(contextPath.length).split('/').slice(1)) {
    let segment: string
    try {
      // Path parameters (`;jsessionid=…`) are dropped: Jira tracks sessions by cookie only.
      segment = decodeURIComponent(raw.split(';')[0] ?? '')
    } catch {
      return 'bad'
    }
    // Tomcat refuses an encoded slash by default.
    if (segment.includes('/')) return 'bad'
    segments.push(segment)
  }
  return { segments, query: url.searchParams }
}

const isApiVersion = (segment: string | undefined): boolean => segment === '2' || segment === 'latest'

interface JiraRoute {
  readonly kind: CallKind
  run (ctx: RequestContext, identity: JiraIdentity | null): Promise<void> | void
}

const notFoundRoute: JiraRoute = {
  kind: 'other',
  run: ({ state, res }, identity) => {
    countCall(state, 'other', identity?.user)
    sendNotFound(res)
  }
}

/** The plain Jira endpoint a path names; each route counts its own call once it knows the user. */
function matchJiraRoute (segments: readonly string[]): JiraRoute {
  const [root, area, ...rest] = segments
  if (segments.join('/') === 'rest/auth/1/session') return { kind: 'session', run: sessionRoute }
  if (root !== 'rest' || area !== 'api' || !isApiVersion(rest[0])) return notFoundRoute
  if (rest.length === 2 && rest[1] === 'myself') return { kind: 'myself', run: myselfRoute }
  const [, resource, name, last] = rest
  if (rest.length === 4 && resource === 'issue' && last === 'attachments') {
    return { kind: 'attachment', run: (ctx, identity) => uploadRoute(ctx, identity, name ?? '') }
  }
  if (rest.length === 4 && resource === 'attachment' && name === 'content') {
    return { kind: 'attachment', run: (ctx, identity) => downloadRoute(ctx, identity, last ?? '') }
  }
  return notFoundRoute
}

/** Which call a request to the session resource is, before its body is read. */
function sessionKind (method: string | undefined): CallKind {
  if (method === 'POST') return 'login'
  return method === 'DELETE' ? 'logout' : 'session'
}

async function route (ctx: RequestContext): Promise<void> {
  const { state, req, res, segments } = ctx
  const [root, area, ...rest] = segments
  if (root === 'rest' && area !== undefined && BIGPICTURE_APPS.includes(area)) {
    if (rest[0] === '1.0' && rest[1] === 'system' && rest.length === 3) {
      if (rest[2] === 'auth') return authRoute(ctx, area)
      if (rest[2] === 'reauth') return reauthRoute(ctx, area)
    }
    return bigPictureRoute(ctx, area, rest)
  }

  // Jira's load-balancer check: anonymous, no session, answers while the node runs.
  if (segments.length === 1 && segments[0] === 'status' && req.method === 'GET') return sendJson(res, 200, { state: 'RUNNING' })

  const jiraRoute = matchJiraRoute(segments)
  const identity = resolveIdentity(state, req, res, false)
  if (identity === 'answered') {
    // Jira's authentication refused the request before the endpoint saw it; it still was a call.
    return countCall(state, jiraRoute.kind === 'session' ? sessionKind(req.method) : jiraRoute.kind)
  }
  if (identity !== null) setUserHeader(res, identity.user)
  await jiraRoute.run(ctx, identity)
}

/** The request listener: common headers, latency, then the route; never lets an error escape. */
export function createRequestListener (state: SimulatorState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(state, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy()
      } else if (err instanceof BodyTooLargeError) {
        sendJson(res, 413, { errorMessages: ['Request entity too large'] }, { connection: 'close' })
      } else {
        sendJson(res, 500, { errorMessages: ['Internal server error'] })
      }
    })
  }
}

async function handle (state: SimulatorState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  state.stats.requests++
  state.nodeStats.requests++
  req.on('error', () => { /* an aborted upload; the handler's read fails and ends the exchange */ })
  if (state.common.latencyMs > 0) await sleep(state.common.latencyMs)
  res.setHeader('Date', new Date(state.clock.nowMs()).toUTCString())
  res.setHeader('X-AUSERNAME', 'anonymous')
  const target = parseTarget(req.url ?? '/', state.contextPath)
  if (target === 'bad') return sendJson(res, 400, { errorMessages: ['Bad request'] })
  if (target === 'outside') return sendText(res, 404, '<html><body>Not Found</body></html>', 'text/html;charset=UTF-8')
  await route({ state, req, res, segments: target.segments, query: target.query })
}

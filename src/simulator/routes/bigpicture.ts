import type { RequestContext } from '../context.js'
import { setUserHeader } from '../context.js'
import { readBody, sendEmpty, sendJson, sendMethodNotAllowed, sendNotFound, sendText, sleep } from '../http.js'
import { resolveIdentity } from '../identity.js'
import { countCall } from '../stats.js'

/** The REST roots that demand a JWT since 8.3; each issues and accepts only its own tokens. */
export const BIGPICTURE_APPS: readonly string[] = ['softwareplant-bigpicture', 'softwareplant-biggantt', 'softwareplant-bigtemplate']

const TASK_BODY_LIMIT = 16 * 1024 * 1024
const MAX_SLEEP_MS = 10 * 60 * 1000
const INVALID_TOKEN = { message: 'JWT token is invalid or expired' }

const BOXES = [
  { id: 1, name: 'Program A', type: 'PROGRAM', parentId: null },
  { id: 2, name: 'Project B', type: 'PROJECT', parentId: 1 },
  { id: 3, name: 'Iteration C', type: 'ITERATION', parentId: 2 }
]

/** `GET /rest/{app}/1.0/system/auth`: a token pair for whoever Jira says is calling. */
export async function authRoute (ctx: RequestContext, app: string): Promise<void> {
  const { state, req, res } = ctx
  if (state.common.authMode === 'anonymous') {
    // Jira ignored the credentials: a 200 that carries nothing.
    countCall(state, 'auth')
    return sendJson(res, 200, {})
  }
  const identity = resolveIdentity(state, req, res, false)
  if (identity === 'answered') return countCall(state, 'auth')
  countCall(state, 'auth', identity?.user)
  if (identity !== null) setUserHeader(res, identity.user)
  if (req.method !== 'GET') return sendMethodNotAllowed(res)
  if (identity === null) return sendJson(res, 401, { message: 'User is not authenticated' })
  if (state.common.authMode === 'garbage') return sendText(res, 200, '<html>Oops</html>', 'text/html;charset=UTF-8')
  if (state.common.authMode === 'error500') return sendJson(res, 500, { message: 'Internal server error' })
  await sendTokens(ctx, {
    authentication: state.tokens.issue('auth', identity.user, identity.session.id, app),
    refresh: state.tokens.issue('refresh', identity.user, identity.session.id, app)
  })
}

/** `GET /rest/{app}/1.0/system/reauth`: a new authentication token for a raw refresh token. */
export async function reauthRoute (ctx: RequestContext, app: string): Promise<void> {
  const { state, req, res } = ctx
  const identity = resolveIdentity(state, req, res, true)
  if (identity === 'answered') return countCall(state, 'reauth')
  if (identity !== null) setUserHeader(res, identity.user)
  const claims = state.tokens.accept(req.headers.authorization ?? '', 'refresh', app)
  countCall(state, 'reauth', claims?.sub)
  if (req.method !== 'GET') return sendMethodNotAllowed(res)
  if (state.common.reauthMode === 'error500') return sendJson(res, 500, { message: 'Internal server error' })
  if (state.common.reauthMode === 'fail' || claims === undefined) return sendJson(res, 401, INVALID_TOKEN)
  await sendTokens(ctx, { authentication: state.tokens.issue('auth', claims.sub, claims.sid, app) })
}

/** Sends freshly issued tokens, after any hold the test put on token answers. */
async function sendTokens (ctx: RequestContext, tokens: { authentication: string, refresh?: string }): Promise<void> {
  if (ctx.state.common.tokenAnswersHeld !== undefined) await ctx.state.common.tokenAnswersHeld
  sendJson(ctx.res, 200, tokens)
}

/**
 * Every other request under `/rest/{app}/`: the session cookie first (anonymous: 401), then the
 * app's authentication JWT (401), then both must name the same user (403).
 */
export async function bigPictureRoute (ctx: RequestContext, app: string, rest: readonly string[]): Promise<void> {
  const { state, req, res } = ctx
  const identity = resolveIdentity(state, req, res, true)
  if (identity === 'answered') return countCall(state, 'bigpicture')
  countCall(state, 'bigpicture', identity?.user)
  if (identity === null) return sendJson(res, 401, { message: 'User is not authenticated' })
  setUserHeader(res, identity.user)
  const claims = state.tokens.accept(req.headers.authorization ?? '', 'auth', app)
  if (claims === undefined) {
    state.stats.rejectedTokens++
    return sendJson(res, 401, INVALID_TOKEN)
  }
  if (claims.sub !== identity.user) {
    state.stats.identityMismatches++
    return sendJson(res, 403, { message: 'Token does not belong to the current user' })
  }
  await bigPictureData(ctx, app, identity.user, rest)
}

async function bigPictureData (ctx: RequestContext, app: string, user: string, rest: readonly string[]): Promise<void> {
  const { state, req, res } = ctx
  const [version, resource, boxId, sub, ...more] = rest
  if (version !== '1.0' || more.length > 0) return sendNotFound(res)
  if (resource === 'slow' && boxId === undefined) {
    const ms = Math.min(Math.max(Number(ctx.query.get('ms') ?? 0) || 0, 0), MAX_SLEEP_MS)
    await sleep(ms)
    return sendJson(res, 200, { slept: ms })
  }
  if (resource !== 'box') return sendNotFound(res)
  if (boxId === undefined) return req.method === 'GET' ? sendJson(res, 200, BOXES) : sendMethodNotAllowed(res)
  const box = BOXES.find((candidate) => String(candidate.id) === boxId)
  if (box === undefined) return sendNotFound(res)
  if (sub === undefined) {
    if (req.method === 'GET') return sendJson(res, 200, box)
    if (req.method === 'PUT') {
      await readBody(req, TASK_BODY_LIMIT)
      return sendJson(res, 200, box)
    }
    if (req.method === 'DELETE') return sendEmpty(res, 204)
    return sendMethodNotAllowed(res)
  }
  if (sub !== 'task') return sendNotFound(res)
  if (req.method !== 'POST') return sendMethodNotAllowed(res)
  const body = await readBody(req, TASK_BODY_LIMIT)
  let task: unknown
  try {
    task = JSON.parse(body)
  } catch {
    return sendJson(res, 400, { message: 'Invalid JSON' })
  }
  const id = state.common.nextId++
  state.stats.tasks.push({ app, user, body, id })
  const fields = typeof task === 'object' && task !== null && !Array.isArray(task) ? task : {}
  sendJson(res, 201, { ...fields, id, boxId: box.id })
}

import type { RequestContext } from '../context.js'
import { sendEmpty, sendJson, sendMethodNotAllowed, sendNotAuthenticated, readBody } from '../http.js'
import type { JiraIdentity } from '../identity.js'
import { attemptLogin } from '../login.js'
import { countCall } from '../stats.js'
import { setUserHeader } from '../context.js'

const LOGIN_BODY_LIMIT = 64 * 1024

async function login (ctx: RequestContext): Promise<void> {
  const { state, res } = ctx
  let credentials: unknown
  try {
    credentials = JSON.parse(await readBody(ctx.req, LOGIN_BODY_LIMIT))
  } catch {
    credentials = undefined
  }
  const { username, password } = (credentials ?? {}) as { username?: unknown, password?: unknown }
  if (typeof username !== 'string' || typeof password !== 'string') {
    countCall(state, 'login')
    sendJson(res, 400, { errorMessages: ['Invalid login request'], errors: {} })
    return
  }
  countCall(state, 'login', username)
  const session = attemptLogin(state, res, username, password)
  if (session === undefined) return
  setUserHeader(res, username)
  sendJson(res, 200, {
    session: { name: 'JSESSIONID', value: session.id },
    loginInfo: { failedLoginCount: 0, loginCount: state.logins.loginCount(username) }
  })
}

/** `/rest/auth/1/session`: REST login (POST), current session (GET), logout (DELETE). */
export async function sessionRoute (ctx: RequestContext, identity: JiraIdentity | null): Promise<void> {
  const { state, req, res } = ctx
  switch (req.method) {
    case 'POST':
      return login(ctx)
    case 'GET':
      countCall(state, 'session', identity?.user)
      if (identity === null) return sendNotAuthenticated(res)
      // A session check by cookie is not a login; this is how a client logs in with a PAT.
      if (identity.via === 'pat') countCall(state, 'pat_login', identity.user)
      return sendJson(res, 200, {
        self: `${state.common.baseUrl}/rest/api/latest/user?username=${encodeURIComponent(identity.user)}`,
        name: identity.user,
        loginInfo: { failedLoginCount: state.logins.failures(identity.user), loginCount: state.logins.loginCount(identity.user) }
      })
    case 'DELETE':
      countCall(state, 'logout', identity?.user)
      if (identity === null) return sendNotAuthenticated(res)
      state.sessions.delete(identity.session.id)
      return sendEmpty(res, 204)
    default:
      return sendMethodNotAllowed(res)
  }
}

import type { ServerResponse } from 'node:http'
import { sessionCookie } from './cookies.js'
import { sendJson } from './http.js'
import type { Session } from './sessions.js'
import type { SimulatorState } from './state.js'
import { countSession } from './stats.js'

/** Opens a Jira session and sets its cookie on the answer, as Jira does after any successful login. */
export function startSession (state: SimulatorState, res: ServerResponse, user: string): Session {
  const session = state.sessions.create(user)
  countSession(state)
  res.setHeader('Set-Cookie', sessionCookie(session.id, state.contextPath, state.secureCookies))
  return session
}

/** Answers a failed login (401) without counting it; used for credentials that name no user. */
export function answerLoginFailed (state: SimulatorState, res: ServerResponse): void {
  state.stats.loginFailures++
  sendJson(res, 401, { errorMessages: ['Login failed'], errors: {} }, { 'X-Seraph-LoginReason': 'AUTHENTICATED_FAILED' })
}

/**
 * One login attempt with a username and password, by the REST login or by Basic credentials.
 * On success the session is started; otherwise the failure (or CAPTCHA) answer is sent and
 * undefined returned.
 */
export function attemptLogin (state: SimulatorState, res: ServerResponse, user: string, password: string): Session | undefined {
  if (state.logins.captchaRequired(user)) {
    state.stats.captchaChallenges++
    sendJson(res, 403, { errorMessages: ['Login denied'], errors: {} }, {
      'X-Seraph-LoginReason': 'AUTHENTICATION_DENIED',
      'X-Authentication-Denied-Reason': `CAPTCHA_CHALLENGE; login-url=${state.common.baseUrl}/login.jsp`
    })
    return undefined
  }
  if (state.users.get(user) !== password) {
    state.logins.recordFailure(user)
    answerLoginFailed(state, res)
    return undefined
  }
  state.logins.recordSuccess(user)
  return startSession(state, res, user)
}

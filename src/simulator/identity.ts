import type { IncomingMessage, ServerResponse } from 'node:http'
import { sessionIdsFromCookie } from './cookies.js'
import { sendNotAuthenticated, sendText } from './http.js'
import { answerLoginFailed, attemptLogin, startSession } from './login.js'
import type { Session } from './sessions.js'
import type { SimulatorState } from './state.js'
import { countCall } from './stats.js'

/** Who Jira thinks is calling, and how it found out. */
export interface JiraIdentity {
  readonly user: string
  readonly session: Session
  readonly via: 'cookie' | 'basic' | 'pat'
}

/** An identity, `null` for anonymous, or `'answered'` when an error answer was already sent. */
export type IdentityOutcome = JiraIdentity | null | 'answered'

export const BASIC_DISABLED_MESSAGE = 'Basic authentication has been disabled on this instance.'

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/

/** The first live session among the request's JSESSIONID cookies. */
export function sessionFromCookie (state: SimulatorState, req: IncomingMessage): Session | undefined {
  for (const id of sessionIdsFromCookie(req.headers.cookie)) {
    const session = state.sessions.use(id)
    if (session !== undefined) return session
  }
  return undefined
}

function basicCredentials (authorization: string): { user: string, password: string } | undefined {
  const encoded = authorization.slice('basic '.length).trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon === -1 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

const hasScheme = (authorization: string, scheme: string): boolean => {
  const start = authorization.slice(0, scheme.length + 1).toLowerCase()
  return start === scheme || start === `${scheme} `
}

/**
 * Jira's authentication chain. A live JSESSIONID cookie wins; otherwise Basic credentials or a
 * personal access token log the request in and open a new session (with its own Set-Cookie) each
 * time. Anything else in `Authorization` (a raw BigPicture JWT, a Bearer JWT) is not Jira's
 * business: the request is anonymous. `cookieOnly` skips the header (BigPicture's own routes
 * use `Authorization` for their JWT).
 */
export function resolveIdentity (state: SimulatorState, req: IncomingMessage, res: ServerResponse, cookieOnly: boolean): IdentityOutcome {
  const authorization = req.headers.authorization ?? ''
  const isBasic = hasScheme(authorization, 'basic')
  if (isBasic && state.common.basicAuthDisabled) {
    countCall(state, 'basic', basicCredentials(authorization)?.user)
    sendText(res, 403, BASIC_DISABLED_MESSAGE)
    return 'answered'
  }
  const session = sessionFromCookie(state, req)
  if (session !== undefined) return { user: session.user, session, via: 'cookie' }
  if (cookieOnly) return null

  if (isBasic) {
    const credentials = basicCredentials(authorization)
    countCall(state, 'basic', credentials?.user)
    if (credentials === undefined) {
      answerLoginFailed(state, res)
      return 'answered'
    }
    const started = attemptLogin(state, res, credentials.user, credentials.password)
    return started === undefined ? 'answered' : { user: started.user, session: started, via: 'basic' }
  }
  if (hasScheme(authorization, 'bearer')) {
    const token = authorization.slice('bearer '.length).trim()
    if (JWT_SHAPE.test(token)) return null
    const user = state.pats.get(token)
    countCall(state, 'pat', user)
    if (user === undefined) {
      sendNotAuthenticated(res)
      return 'answered'
    }
    const started = startSession(state, res, user)
    return { user, session: started, via: 'pat' }
  }
  return null
}

import type { IncomingHttpHeaders } from 'node:http'
import { ProxyError } from '../errors.js'
import type { Identity } from '../identity/types.js'
import type { Route } from './route.js'

const OWN_REQUEST: Identity = { kind: 'none', serviceRefused: false }

/** Cookies Jira authenticates by: a caller sending one (even an empty or odd one) brings its own. */
const JIRA_CREDENTIAL_COOKIE = /(?:^|;)\s*(?:JSESSIONID|seraph\.rememberme\.cookie)\s*=/

/**
 * What a caller that would use the service identity may do with it. Its session is shared, so it
 * is never attached to a request that carries credentials of its own (any `Authorization`, a Jira
 * session or remember-me cookie, a `;jsessionid=` path parameter) nor to a login (the caller logs
 * in as itself); it cannot be ended by a caller (logout), its tokens and credentials never leave the
 * proxy (BigPicture's `system/auth` and `system/reauth`, personal access tokens, password changes),
 * and a cross-site web page cannot use it. Decided on the classified route, so no spelling of a path
 * gets around it. Returns the identity to use, or throws the refusal.
 */
export function scopeServiceIdentity (identity: Identity, route: Route, method: string, headers: IncomingHttpHeaders, url: string): Identity {
  if (headers['sec-fetch-site'] === 'cross-site') {
    throw new ProxyError('SERVICE_IDENTITY_FORBIDDEN', 'A request from another web site may not use the service account.')
  }
  if (headers.authorization !== undefined || (headers.cookie !== undefined && JIRA_CREDENTIAL_COOKIE.test(headers.cookie)) || hasSessionParameter(url)) return OWN_REQUEST
  if (route.family === 'bigpicture') {
    if (route.tokenEndpoint === true) throw serviceTokensForbidden()
    return identity
  }
  if (route.family !== 'jira' || route.endpoint === undefined) return identity
  if (route.endpoint === 'logout' || (route.endpoint === 'session' && method === 'DELETE')) {
    throw new ProxyError('SERVICE_LOGOUT_FORBIDDEN', "The service account's session is shared and cannot be ended by a caller; log in as yourself to log out.")
  }
  if (route.endpoint === 'session') return OWN_REQUEST
  throw serviceTokensForbidden()
}

function serviceTokensForbidden (): ProxyError {
  return new ProxyError('SERVICE_TOKENS_FORBIDDEN', "The service account's tokens and credentials stay with the proxy; call the API itself through it instead.")
}

/** A Tomcat session path parameter in the path (not the query). */
function hasSessionParameter (url: string): boolean {
  const semicolon = url.indexOf(';')
  if (semicolon < 0) return false
  const q = url.indexOf('?')
  const path = (q < 0 ? url : url.slice(0, q)).toLowerCase()
  return path.includes(';jsessionid=')
}

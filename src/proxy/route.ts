/**
 * Which route family a request belongs to, decided once per request on the path as Jira (Tomcat)
 * will understand it: path parameters (`;…`) removed, percent-decoded, repeated slashes merged;
 * dot segments, backslashes and NUL refused. So `..`, `..;`, `%2e` and `%2f` tricks can neither
 * move a request into a BigPicture root (gaining the JWT) nor out of it, and the endpoints the
 * service identity must not be used on are recognised however they are spelled.
 */
export type Route =
  | { family: 'proxy' }
  | { family: 'jira', endpoint?: JiraEndpoint }
  | { family: 'bigpicture', app: number, tokenEndpoint?: true }
  | { family: 'invalid' }

/**
 * Jira endpoints that act on the caller's own session or credentials: `session` is the REST login
 * (`/rest/auth/{1,latest}/session`), `logout` the web logout pages, `credentials` personal access
 * token management and password changes.
 */
export type JiraEndpoint = 'session' | 'logout' | 'credentials'

export const PROXY_ROUTE: Route = { family: 'proxy' }
export const JIRA_ROUTE: Route = { family: 'jira' }
export const INVALID_ROUTE: Route = { family: 'invalid' }
const SESSION_ROUTE: Route = { family: 'jira', endpoint: 'session' }
const LOGOUT_ROUTE: Route = { family: 'jira', endpoint: 'logout' }
const CREDENTIALS_ROUTE: Route = { family: 'jira', endpoint: 'credentials' }

const SESSION = /^\/rest\/auth\/(?:1|latest)\/session\/?$/
const LOGOUT = /^\/(?:secure\/logout(?:![^/]*)?\.jspa|logout)\/?$/i
const CREDENTIALS = /^\/rest\/(?:pat\/|api\/(?:2|latest)\/myself\/password\/?$)/
/** `system/auth` and `system/reauth` below an app root: the token pair of whoever calls them. */
const TOKEN_ENDPOINT = /^[^/]+\/system\/(?:auth|reauth)\/?$/

/** Builds the classifier for the configured BigPicture REST roots. */
export function createRouteClassifier (apps: string[]): (url: string) => Route {
  const byName = new Map<string, Route>(apps.map((name, app) => [name, { family: 'bigpicture', app }]))
  const tokenRoutes = new Map<string, Route>(apps.map((name, app) => [name, { family: 'bigpicture', app, tokenEndpoint: true }]))

  return function classify (url) {
    const q = url.indexOf('?')
    const raw = q < 0 ? url : url.slice(0, q)
    let path = raw
    if (NEEDS_NORMALIZING.test(raw)) {
      const normal = normalizePath(raw)
      if (normal === undefined) return INVALID_ROUTE
      path = normal
    }
    // The proxy's own endpoints are routed on the raw path, so that is what decides here too: a
    // path that only decodes to `/_proxy/…` (`/_proxy%2fhealthz`) is not one of them.
    if (raw.startsWith('/_proxy/')) return PROXY_ROUTE
    if (!path.startsWith('/rest/')) return LOGOUT.test(path) ? LOGOUT_ROUTE : JIRA_ROUTE
    const end = path.indexOf('/', 6)
    if (end < 0) return JIRA_ROUTE
    const root = path.slice(6, end)
    const app = byName.get(root)
    if (app !== undefined) return TOKEN_ENDPOINT.test(path.slice(end + 1)) ? tokenRoutes.get(root) as Route : app
    if (root === 'auth') return SESSION.test(path) ? SESSION_ROUTE : JIRA_ROUTE
    return CREDENTIALS.test(path) ? CREDENTIALS_ROUTE : JIRA_ROUTE
  }
}

/** Anything that could make the path mean something else once Tomcat has normalized it. */
const NEEDS_NORMALIZING = /[%;\\\0]|\/[./]/

/**
 * The path as Tomcat maps it, or `undefined` when it is malformed or holds a `.`/`..` segment (no
 * Jira REST resource needs one; accepting them only invites ambiguity between us and Jira), a
 * backslash (Tomcat refuses those by default) or a NUL.
 */
export function normalizePath (path: string): string | undefined {
  let decoded: string
  try {
    // Tomcat drops path parameters before decoding: `/a;x=1/b` is `/a/b`, and `..;/` is `../`.
    decoded = decodeURIComponent(path.replace(/;[^/]*/g, ''))
  } catch {
    return undefined
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return undefined
  decoded = decoded.replace(/\/{2,}/g, '/')
  for (const segment of decoded.split('/')) {
    if (segment === '.' || segment === '..') return undefined
  }
  return decoded
}

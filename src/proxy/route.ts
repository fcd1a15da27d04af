/**
 * Which route family a request belongs to, decided once per request on the path as Jira (Tomcat)
 * will understand it: path parameters (`;…`) removed, percent-decoded, repeated slashes merged;
 * dot segments, backslashes and NUL refused. So `..`, `..;`, `%2e` and `%2f` tricks can neither
 * move a request into a BigPicture root (gaining the JWT) nor out of it.
 */
export type Route =
  | { family: 'proxy' }
  | { family: 'jira' }
  | { family: 'bigpicture', app: number }
  | { family: 'invalid' }

export const PROXY_ROUTE: Route = { family: 'proxy' }
export const JIRA_ROUTE: Route = { family: 'jira' }
export const INVALID_ROUTE: Route = { family: 'invalid' }

/** Builds the classifier for the configured BigPicture REST roots. */
export function createRouteClassifier (apps: string[]): (url: string) => Route {
  const byName = new Map<string, Route>(apps.map((name, app) => [name, { family: 'bigpicture', app }]))

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
    if (!path.startsWith('/rest/')) return JIRA_ROUTE
    const end = path.indexOf('/', 6)
    if (end < 0) return JIRA_ROUTE
    return byName.get(path.slice(6, end)) ?? JIRA_ROUTE
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

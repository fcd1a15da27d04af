/**
 * Which route family a request belongs to, decided once per request on the path as Jira will
 * understand it: percent-decoded, backslashes as slashes, dot segments refused. So `..`, `%2e` and
 * `%2f` tricks can neither move a request into a BigPicture root (gaining the JWT) nor out of it.
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
    let path = q < 0 ? url : url.slice(0, q)
    if (path.includes('%') || path.includes('\\') || path.includes('/.')) {
      const normal = normalizePath(path)
      if (normal === undefined) return INVALID_ROUTE
      path = normal
    }
    if (path.startsWith('/_proxy/') || path === '/_proxy') return PROXY_ROUTE
    if (!path.startsWith('/rest/')) return JIRA_ROUTE
    const end = path.indexOf('/', 6)
    if (end < 0) return JIRA_ROUTE
    return byName.get(path.slice(6, end)) ?? JIRA_ROUTE
  }
}

/**
 * The decoded path, or `undefined` when it is malformed or holds a `.`/`..` segment (no Jira REST
 * resource needs one; accepting them only invites ambiguity between us and Jira).
 */
export function normalizePath (path: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return undefined
  }
  decoded = decoded.replaceAll('\\', '/')
  if (decoded.includes('\0')) return undefined
  for (const segment of decoded.split('/')) {
    if (segment === '.' || segment === '..') return undefined
  }
  return decoded
}

import { ProxyError } from '../errors.js'

/**
 * Browser defences (SPEC.md: Security defaults). A web page must not drive the proxy: a `Host`
 * outside the allowed set means DNS rebinding, and an `Origin` of a foreign site means a page is
 * making the request. Both are refused before anything else happens.
 */
export interface BrowserGuardOptions {
  /** Explicit allowed Host values (names, or name:port); `undefined` for the defaults. */
  allowedHosts: string[] | undefined
  allowedOrigins: string[] | undefined
  /** The configured listen address, allowed as a Host name when it is a specific address. */
  listenHost: string
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1']
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]'])

export function createBrowserGuard (options: BrowserGuardOptions): (host: string | undefined, origin: string | undefined) => void {
  const any = options.allowedHosts?.includes('*') ?? false
  const hosts = new Set((options.allowedHosts ?? LOOPBACK_NAMES).map((h) => h.toLowerCase()))
  if (options.allowedHosts === undefined && !WILDCARDS.has(options.listenHost)) hosts.add(options.listenHost.toLowerCase())
  const origins = options.allowedOrigins === undefined ? undefined : new Set(options.allowedOrigins)
  // The hot path sees the same few Host values over and over.
  const seen = new Map<string, boolean>()

  function hostAllowed (host: string): boolean {
    const cached = seen.get(host)
    if (cached !== undefined) return cached
    const lower = host.toLowerCase()
    const ok = any || hosts.has(lower) || hosts.has(hostname(lower))
    if (seen.size < 1024) seen.set(host, ok)
    return ok
  }

  return function check (host, origin) {
    if (host === undefined || !hostAllowed(host)) {
      throw new ProxyError('HOST_NOT_ALLOWED', 'This Host name is not allowed; add it to ALLOWED_HOSTS if clients really use it.')
    }
    if (origin === undefined) return
    const ok = origins !== undefined ? origins.has(origin) : originHostAllowed(origin, hostAllowed)
    if (!ok) throw new ProxyError('ORIGIN_NOT_ALLOWED', 'Requests from this web origin are not allowed; add it to ALLOWED_ORIGINS if it is trusted.')
  }
}

function originHostAllowed (origin: string, hostAllowed: (host: string) => boolean): boolean {
  try {
    return hostAllowed(new URL(origin).host)
  } catch {
    return false // `null` and other opaque origins
  }
}

/** `name:port` -> `name`, `[v6]:port` -> `[v6]`. */
function hostname (host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']')
    return end < 0 ? host : host.slice(0, end + 1)
  }
  const colon = host.lastIndexOf(':')
  return colon < 0 ? host : host.slice(0, colon)
}

import { ProxyError } from '../errors.js'

/**
 * Browser defences. A web page must not drive the proxy: a `Host`
 * outside the allowed set means DNS rebinding, and an `Origin` of a foreign site means a page is
 * making the request. Both are refused before anything else happens.
 */
export interface BrowserGuardOptions {
  /** Explicit allowed Host values (names, or name:port); `undefined` for the defaults. */
  allowedHosts: string[] | undefined
  /** Explicit allowed `Origin` values (`*` for any); `undefined` for origins on allowed hosts. */
  allowedOrigins: string[] | undefined
  /** The configured listen address, allowed as a Host name when it is a specific address. */
  listenHost: string
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1']
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]'])
/** A Host header as RFC 9110 has it: a name, an IPv4 or a bracketed IPv6 address, and digits for the port. */
const HOST_SYNTAX = /^(?:\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]+)(?::\d{1,5})?$/i

/** Builds the check run first on every request: throws HOST_NOT_ALLOWED or ORIGIN_NOT_ALLOWED. */
export function createBrowserGuard (options: BrowserGuardOptions): (host: string | undefined, origin: string | undefined) => void {
  const any = options.allowedHosts?.includes('*') ?? false
  const hosts = new Set((options.allowedHosts ?? LOOPBACK_NAMES).filter((h) => h !== '*').map((h) => h.toLowerCase()))
  if (options.allowedHosts === undefined && !WILDCARDS.has(options.listenHost)) hosts.add(asHostName(options.listenHost))
  const origins = options.allowedOrigins === undefined ? undefined : new Set(options.allowedOrigins.map((o) => o.toLowerCase().replace(/\/+$/, '')))
  // The hot path sees the same few Host values over and over.
  const seen = new Map<string, boolean>()

  function listed (host: string): boolean {
    return hosts.has(host) || hosts.has(hostname(host))
  }

  function hostAllowed (host: string): boolean {
    const cached = seen.get(host)
    if (cached !== undefined) return cached
    const ok = HOST_SYNTAX.test(host) && (any || listed(host.toLowerCase()))
    if (seen.size < 1024) seen.set(host, ok)
    return ok
  }

  /**
   * By default a page may call the proxy from an origin on an allowed host, or from the proxy's
   * own origin. `ALLOWED_HOSTS=*` only gives up the DNS-rebinding check; it does not let every web
   * page in.
   */
  function originAllowed (origin: string, host: string): boolean {
    if (origins !== undefined) {
      const lower = origin.toLowerCase()
      // `*` is any real origin; the opaque `null` only when listed by name.
      return origins.has(lower) || (origins.has('*') && lower !== 'null')
    }
    let originHost: string
    try {
      originHost = new URL(origin).host
    } catch {
      return false // `null` and other opaque origins
    }
    if (originHost === '') return false
    return listed(originHost) || originHost === host.toLowerCase()
  }

  return function check (host, origin) {
    if (host === undefined || !hostAllowed(host)) {
      throw new ProxyError('HOST_NOT_ALLOWED', 'This Host name is not allowed; add it to ALLOWED_HOSTS if clients really use it.')
    }
    if (origin === undefined) return
    if (!originAllowed(origin, host)) throw new ProxyError('ORIGIN_NOT_ALLOWED', 'Requests from this web origin are not allowed; add it to ALLOWED_ORIGINS if it is trusted.')
  }
}

/** A listen address as it appears in a Host header: IPv6 literals are bracketed. */
function asHostName (address: string): string {
  const lower = address.toLowerCase()
  return lower.includes(':') && !lower.startsWith('[') ? `[${lower}]` : lower
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

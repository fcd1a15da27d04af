import type { Config } from '../../config.js'

/** Whether requests to Jira go through an egress proxy, worked out exactly as undici's EnvHttpProxyAgent does. */
export function egressFor (config: Pick<Config, 'jiraUrl' | 'egress'>): { proxy: string | undefined, description: string } {
  const url = new URL(config.jiraUrl)
  const { httpsProxy, httpProxy, noProxy } = config.egress
  const candidate = url.protocol === 'https:' ? (httpsProxy || httpProxy) : httpProxy
  const target = url.host
  if (!candidate) {
    const unused = url.protocol === 'http:' && httpsProxy ? ' (HTTPS_PROXY applies to https:// only)' : ''
    return { proxy: undefined, description: `direct connection to ${target}, no egress proxy${unused}` }
  }
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
  if (noProxyMatches(url.hostname, port, noProxy ?? '')) {
    return { proxy: undefined, description: `direct connection to ${target}: NO_PROXY matches it, so ${describeProxyUrl(candidate)} is not used` }
  }
  return { proxy: candidate, description: `through the egress proxy ${describeProxyUrl(candidate)} (${url.protocol === 'https:' && !httpsProxy ? 'HTTP_PROXY' : url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'})` }
}

/** undici's NO_PROXY rule: `*`, exact names, parent domains (`.corp` or `corp`), optional `:port`. */
function noProxyMatches (hostname: string, port: number, noProxy: string): boolean {
  if (noProxy === '*') return true
  const host = hostname.toLowerCase()
  for (const entry of noProxy.split(/[,\s]/)) {
    if (entry === '') continue
    const parsed = /^(.+):(\d+)$/.exec(entry)
    const name = (parsed?.[1] ?? entry).replace(/^\*?\./, '').toLowerCase()
    const entryPort = parsed === null ? 0 : Number(parsed[2])
    if (entryPort !== 0 && entryPort !== port) continue
    if (host === name || host.endsWith(`.${name}`)) return true
  }
  return false
}

/** A proxy URL fit to print: credentials in it are replaced by a note that they are there. */
export function describeProxyUrl (value: string): string {
  try {
    const url = new URL(value)
    const withCredentials = url.username !== '' || url.password !== ''
    return `${url.protocol}//${url.host}${withCredentials ? ' (with credentials)' : ''}`
  } catch {
    return '(unparsable URL)'
  }
}

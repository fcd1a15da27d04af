import type { Config } from '../../config.js'
import { ProxyError } from '../../errors.js'
import type { LoginOutcome } from '../../tokens/auth-client.js'
import { describeProxyUrl, egressFor } from './egress.js'

/** What went wrong in plain words, and what to do about it. */
export interface Explanation {
  text: string
  hint: string
}

/** Jira's `/status` states other than RUNNING, and what each means for an operator. */
export const STATE_HINTS: Record<string, string> = {
  STARTING: 'Jira is still starting; run doctor again in a minute.',
  STOPPING: 'Jira is shutting down.',
  MAINTENANCE: 'Jira is in maintenance mode (an upgrade or re-index); wait for it to finish.',
  FIRST_RUN: 'Jira has not been set up yet: finish its setup wizard first.',
  ERROR: 'Jira reports an error state; its log (atlassian-jira.log) says why.'
}

/** A failed login of the service identity: Jira's verdict, and what the operator can do. */
export function explainLogin (login: Extract<LoginOutcome, { ok: false }>, kind: 'password' | 'pat', who: string, config: Config): Explanation {
  const where = login.loginUrl ?? `${config.jiraUrl}/login.jsp`
  if (login.reason === 'captcha') {
    return {
      text: `Login as ${who}: Jira demands a CAPTCHA (HTTP ${login.status}); it refuses every REST login for this account until a person signs in`,
      hint: `Sign in once as this user in a browser at ${describeLocation(where)} and answer the CAPTCHA, then run doctor again (and send a running proxy SIGHUP). The doctor did not retry.`
    }
  }
  if (login.reason === 'bad_credentials') {
    if (kind === 'pat') {
      return {
        text: `Login with the personal access token: Jira rejected it (HTTP ${login.status})`,
        hint: 'Check JIRA_PAT / JIRA_PAT_FILE: the token may be mistyped, expired or revoked (Jira profile > Personal Access Tokens); tokens need Jira 8.14 or later.'
      }
    }
    const ignored = login.status === 200 ? ' (it answered as if nobody had logged in)' : ''
    return {
      text: `Login as ${who}: Jira rejected the password (HTTP ${login.status})${ignored}`,
      hint: 'Check JIRA_USERNAME and JIRA_PASSWORD / JIRA_PASSWORD_FILE (a trailing newline in the file is ignored). The doctor tried once and will not retry: after a few failures Jira demands a CAPTCHA and refuses every REST login until someone signs in through a browser.'
    }
  }
  if (login.status === 404) {
    return {
      text: `Login as ${who}: Jira has no login endpoint at ${config.contextPath}/rest/auth/1/session (HTTP 404)`,
      hint: 'Check the context path in JIRA_URL (https://host/jira if Jira lives under /jira).'
    }
  }
  if (login.status === 200) {
    return {
      text: `Login as ${who}: Jira answered without opening a session (no JSESSIONID cookie)`,
      hint: 'A single-sign-on gateway or a reverse proxy in front of Jira may be answering instead; point JIRA_URL at Jira itself.'
    }
  }
  return {
    text: `Login as ${who}: Jira refused it (HTTP ${login.status})`,
    hint: kind === 'pat'
      ? 'Jira did not accept the token as a login; check that personal access tokens are enabled and the account is active.'
      : 'The account may be inactive, lack the "Jira users" permission, or Jira may only allow single sign-on logins; ask the Jira administrators.'
  }
}

/** A session that did not reach `system/auth` whole: a node that does not hold it, or cookies lost. */
const SESSION_LOST_HINT = 'On a Data Center cluster, the load balancer must keep a client on the node that holds its session ' +
  '(sticky sessions, which Atlassian requires: an affinity cookie or a route in JSESSIONID); this request reached another node. ' +
  'On a single Jira, something between the proxy and Jira drops cookies. Point JIRA_URL at Jira itself or at its sticky balancer.'

/** `system/auth` refused or mistook the session the doctor had just opened; undefined for a token pair. */
export function explainAuthAnswer (app: string, status: number, anonymous: boolean): Explanation | undefined {
  if (status === 404) {
    return {
      text: `${app}: not installed on this Jira (system/auth answered HTTP 404)`,
      hint: `Remove ${app} from BIGPICTURE_APPS, or install and enable the app (8.3 or later, which introduced system/auth).`
    }
  }
  if ((status === 401 || status === 403) && anonymous) {
    return { text: `${app}: system/auth did not recognise the session opened a moment ago (HTTP ${status}, answered as anonymous)`, hint: SESSION_LOST_HINT }
  }
  if (status === 401 || status === 403) {
    return {
      text: `${app}: system/auth refused the session just opened (HTTP ${status})`,
      hint: `Check that the service account may use ${app} (app permissions, licence) and that the app is enabled.`
    }
  }
  if (status !== 200) {
    return {
      text: `${app}: system/auth failed (HTTP ${status})`,
      hint: `The app's log in Jira says why; until it is fixed the proxy answers BIGPICTURE_AUTH_FAILED (502) for ${app}.`
    }
  }
  if (anonymous) {
    return { text: `${app}: system/auth did not recognise the session just opened (answered as anonymous)`, hint: SESSION_LOST_HINT }
  }
  return undefined
}

/** An answer to `system/auth` that is not a token pair. */
export function explainNotTokens (app: string): Explanation {
  return {
    text: `${app}: system/auth answered something that is not a token pair`,
    hint: 'A login page or a gateway may be answering instead of the app; check JIRA_URL and the app\'s version (8.3 or later).'
  }
}

/** A redirect target without its query, which may carry single-sign-on state. */
export function describeLocation (location: string | string[] | undefined): string {
  const value = Array.isArray(location) ? location[0] : location
  if (value === undefined) return '(no Location)'
  try {
    const url = new URL(value, 'http://relative.invalid')
    return url.host === 'relative.invalid' ? url.pathname : `${url.origin}${url.pathname}`
  } catch {
    return '(an unparsable Location)'
  }
}

/** `900000` -> `15 min`; rounded to what a person would say. */
export function describeDuration (ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`
  return `${Math.round(s / 86400)} days`
}

const UNTRUSTED_CA = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
])

/** Every `code` and message along an error's `cause` chain (undici and the proxy wrap errors). */
function errorChain (err: unknown): { codes: string[], messages: string[] } {
  const codes: string[] = []
  const messages: string[] = []
  let current: unknown = err
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const { code, message, cause } = current as { code?: unknown, message?: unknown, cause?: unknown }
    if (typeof code === 'string') codes.push(code)
    if (typeof message === 'string') messages.push(message)
    current = cause
  }
  return { codes, messages }
}

/**
 * A transport failure in plain words, with what to do about it. Only error codes and undici's own
 * messages are looked at; nothing of a request (headers, cookies) is ever part of the text.
 */
export function explainTransportError (err: unknown, config: Pick<Config, 'jiraUrl' | 'jiraOrigin' | 'tls' | 'egress'>): Explanation {
  const { codes, messages } = errorChain(err)
  const has = (code: string): boolean => codes.includes(code)
  const url = new URL(config.jiraUrl)
  const proxy = egressFor(config).proxy
  const proxyNote = proxy === undefined ? '' : ` through the egress proxy ${describeProxyUrl(proxy)}`

  const tunnel = messages.map((m) => /^Proxy response \((\d+)\) !== 200/.exec(m)).find((m) => m !== null)
  if (tunnel != null) {
    const status = tunnel[1]
    return {
      text: `the egress proxy refused the connection to ${url.host} (HTTP ${status})`,
      hint: status === '407'
        ? 'The egress proxy wants credentials: put them in the proxy URL (http://user:password@proxy:port), or ask for the Jira host to be allowed.'
        : 'The egress proxy does not let this connection through; ask its administrators, or add Jira to NO_PROXY if it is reachable directly.'
    }
  }
  const ca = codes.find((c) => UNTRUSTED_CA.has(c))
  if (ca !== undefined) {
    return {
      text: `Jira's TLS certificate is not signed by a CA this machine trusts (${ca})`,
      hint: config.tls.ca === undefined
        ? 'Set JIRA_CA_FILE to the PEM file of the CA that signed Jira\'s certificate (your company\'s root CA). JIRA_TLS_INSECURE=true turns the check off, for tests only.'
        : 'JIRA_CA_FILE is set but does not hold the CA that signed Jira\'s certificate (or its intermediate chain); export the right root CA as PEM.'
    }
  }
  if (has('CERT_HAS_EXPIRED')) {
    return { text: "Jira's TLS certificate has expired (CERT_HAS_EXPIRED)", hint: 'Jira\'s administrators must renew the certificate; JIRA_TLS_INSECURE=true hides the problem, for tests only.' }
  }
  if (has('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return { text: `Jira's TLS certificate is not valid for the name ${url.hostname} (ERR_TLS_CERT_ALTNAME_INVALID)`, hint: 'Use in JIRA_URL the host name the certificate was issued for (the one people use in their browser).' }
  }
  if (codes.some((c) => c.startsWith('ERR_SSL_') || c === 'EPROTO') || messages.some((m) => /wrong version number|SSL routines/i.test(m))) {
    return {
      text: `the TLS handshake with ${url.host} failed (${codes.find((c) => c.startsWith('ERR_SSL_') || c === 'EPROTO') ?? 'TLS error'})`,
      hint: url.protocol === 'https:' ? 'That port may serve plain HTTP: try http:// in JIRA_URL, or the port that serves HTTPS.' : 'Check the port in JIRA_URL.'
    }
  }
  if (has('ECONNREFUSED')) {
    return {
      text: `connection refused${proxy === undefined ? ` by ${url.host}` : ` by ${describeProxyUrl(proxy)}`} (ECONNREFUSED)`,
      hint: proxy === undefined
        ? 'Nothing listens at that address: check the host and port in JIRA_URL, and whether Jira is running.'
        : 'The egress proxy is not listening there: check HTTPS_PROXY / HTTP_PROXY.'
    }
  }
  if (has('ENOTFOUND') || has('EAI_AGAIN')) {
    return {
      text: `the name ${proxy === undefined ? url.hostname : describeProxyUrl(proxy)} does not resolve (${has('ENOTFOUND') ? 'ENOTFOUND' : 'EAI_AGAIN'})`,
      hint: proxy === undefined
        ? 'Check the host name in JIRA_URL; if Jira is only reachable through a corporate proxy, set HTTPS_PROXY.'
        : 'Check the host name in HTTPS_PROXY / HTTP_PROXY.'
    }
  }
  if (has('UND_ERR_CONNECT_TIMEOUT') || has('ETIMEDOUT') || has('ENETUNREACH') || has('EHOSTUNREACH')) {
    return {
      text: `no connection to ${url.host}${proxyNote} (${codes.find((c) => ['UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH'].includes(c)) ?? 'timeout'})`,
      hint: 'A firewall may drop the connection; if this network reaches the internet only through a corporate proxy, set HTTPS_PROXY (and NO_PROXY for internal hosts).'
    }
  }
  if (has('UND_ERR_HEADERS_TIMEOUT') || has('UND_ERR_BODY_TIMEOUT') || has('UPSTREAM_TIMEOUT')) {
    return { text: `connected to ${url.host}${proxyNote}, but it did not answer in time`, hint: 'Jira may be overloaded or stuck; its log and its administrators can tell.' }
  }
  if (has('ECONNRESET') || has('UND_ERR_SOCKET') || has('UND_ERR_CLOSED')) {
    return {
      text: `${url.host}${proxyNote} closed the connection without an answer (${codes.find((c) => ['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(c)) ?? 'reset'})`,
      hint: url.protocol === 'http:' ? 'The port may expect HTTPS: try https:// in JIRA_URL.' : 'A firewall or proxy may cut the connection; check with the network administrators.'
    }
  }
  const code = codes.find((c) => !(err instanceof ProxyError && c === err.code)) ?? codes[0] ?? 'unknown error'
  return { text: `the connection failed (${code})`, hint: 'Check JIRA_URL, the network between this machine and Jira, and HTTPS_PROXY / NO_PROXY.' }
}

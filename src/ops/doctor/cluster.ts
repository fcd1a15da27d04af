import { type JiraSession, SESSION_COOKIE } from '../../tokens/session.js'
import type { Report } from './report.js'

/**
 * Signs that Jira is a Data Center cluster behind a sticky load balancer, read from the cookies
 * Jira's side set on the doctor's answers: only names (and a JSESSIONID route suffix, a node's
 * name) are ever printed, never a value.
 */
export interface ClusterSigns {
  /** Cookies set beside Jira's own: a balancer's affinity cookies. */
  affinityCookies: string[]
  /** The `.nodeN` route suffix of JSESSIONID (Tomcat's jvmRoute), dot included. */
  route: string | undefined
}

/** Cookies Jira itself sets; any other one comes from something in front of it. */
const JIRA_OWN_COOKIES = new Set([SESSION_COOKIE, 'atlassian.xsrf.token', 'seraph.rememberme.cookie', 'crowd.token_key'])

/** The balancers whose affinity cookies are known by name, and what to say of each. */
const KNOWN_BALANCERS: ReadonlyArray<{ name: RegExp, balancer: string }> = [
  { name: /^INGRESSCOOKIE$/, balancer: 'ingress-nginx' },
  { name: /^AWSALB$/, balancer: 'AWS, a new value on every answer' },
  { name: /^(AWSALBCORS|AWSALBTG|AWSALBTGCORS|AWSELB)$/, balancer: 'AWS' },
  { name: /^ROUTEID$/, balancer: 'Apache httpd' },
  { name: /^BIGipServer/, balancer: 'F5 BIG-IP' },
  { name: /^SERVERID$/, balancer: 'HAProxy' }
]

/** A cookie name fit to print: a plain token of reasonable length. */
const PRINTABLE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,80}$/
const ROUTE_SUFFIX = /\.([\w-]{1,64})$/

/** The signs in a session's `Cookie` header and its JSESSIONID value. */
export function clusterSigns (cookieHeader: string, sessionId: string | undefined): ClusterSigns {
  const affinityCookies: string[] = []
  for (const pair of cookieHeader.split(';')) {
    const eq = pair.indexOf('=')
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim()
    if (PRINTABLE_NAME.test(name) && !JIRA_OWN_COOKIES.has(name) && !affinityCookies.includes(name)) affinityCookies.push(name)
  }
  const route = sessionId === undefined ? undefined : ROUTE_SUFFIX.exec(sessionId)?.[0]
  return { affinityCookies, route }
}

/** The line the doctor prints about a cluster, or undefined when nothing points to one. */
export function describeCluster (signs: ClusterSigns): string | undefined {
  const found: string[] = []
  if (signs.affinityCookies.length > 0) {
    const named = signs.affinityCookies.map((name) => {
      const known = KNOWN_BALANCERS.find((b) => b.name.test(name))
      return known === undefined ? name : `${name} (${known.balancer})`
    })
    const unknown = signs.affinityCookies.every((name) => !KNOWN_BALANCERS.some((b) => b.name.test(name)))
    const cookies = `${named.length === 1 ? 'cookie' : 'cookies'} ${named.join(', ')}`
    found.push(unknown
      ? `Jira's answers set the ${cookies} beside JSESSIONID (not Jira's own: a load balancer's affinity cookie)`
      : `Jira's answers set the load balancer's affinity ${cookies} beside JSESSIONID`)
  }
  if (signs.route !== undefined) found.push(`JSESSIONID carries the route suffix ${signs.route} (Tomcat's jvmRoute), by which the balancer picks the node`)
  if (found.length === 0) return undefined
  return `Data Center cluster behind a sticky load balancer: ${found.join('; and ')}. The proxy keeps ${signs.affinityCookies.length > 0 ? 'these cookies' : 'the whole cookie'} per session, in the cookie jar of each session it makes (and a cookie caller's own cookies go along on its token calls), so every identity stays on the node that holds its session`
}

/** Says so when the cookies Jira's side set on the doctor's answers show a Data Center cluster. */
export function reportCluster (session: JiraSession, report: Report): void {
  const line = describeCluster(clusterSigns(session.cookieHeader, session.id))
  if (line !== undefined) report.pass(line)
}

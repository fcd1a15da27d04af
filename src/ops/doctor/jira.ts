import type { Config } from '../../config.js'
import { describeProxyUrl, egressFor } from './egress.js'
import { STATE_HINTS, describeLocation, explainTransportError } from './explain.js'
import type { Answer, JiraProbe } from './probe.js'
import type { Report } from './report.js'

/** Reachability and Jira's own status page; true when Jira answered at all. */
export async function checkJira (jira: JiraProbe, config: Config, report: Report): Promise<boolean> {
  const egress = egressFor(config)
  const via = egress.proxy === undefined ? 'direct' : `through ${describeProxyUrl(egress.proxy)}`
  const tls = !config.jiraUrl.startsWith('https:') ? '' : config.tls.insecure ? ', certificate NOT checked' : ', certificate trusted'
  let status: Answer
  try {
    status = await jira.request('/status')
  } catch (err) {
    const why = explainTransportError(err, config)
    report.fail(`Jira is not reachable at ${config.jiraOrigin} (${via}): ${why.text}`, why.hint)
    return false
  }
  report.pass(`Jira is reachable at ${config.jiraOrigin} (${via}${tls}; answered in ${Math.round(status.ms)} ms)`)

  if (status.status >= 300 && status.status < 400) {
    const location = describeLocation(status.headers.location)
    report.fail(`Jira status: ${config.contextPath}/status redirects (HTTP ${status.status}) to ${location}`,
      'JIRA_URL is probably not Jira\'s own base URL (http instead of https, a missing context path, or a login page in front); set JIRA_URL to the address it redirects to.')
    return true
  }
  if (status.status >= 500) {
    report.fail(`Jira status: HTTP ${status.status}`, 'Jira, or a load balancer in front of it, reports an error: is Jira starting, stopped or in maintenance?')
    return true
  }
  const state = readState(status)
  if (state === 'RUNNING') {
    report.pass('Jira status: RUNNING')
    return true
  }
  if (state !== undefined) {
    report.fail(`Jira status: ${state}`, STATE_HINTS[state] ?? 'Jira is not running normally; its log says why.')
    return true
  }
  // No status page (some versions, some reverse proxies): Jira's REST API still tells us it is there.
  let rest: Answer
  try {
    rest = await jira.request('/rest/auth/1/session')
  } catch (err) {
    const why = explainTransportError(err, config)
    report.fail(`Jira status: no answer from ${config.contextPath}/rest/auth/1/session: ${why.text}`, why.hint)
    return true
  }
  if ((rest.status === 401 || rest.status === 200) && isJson(rest)) {
    report.pass(`Jira status: no status page (HTTP ${status.status}), but Jira's REST API answers at ${config.contextPath}/rest`)
    return true
  }
  report.fail(`Jira status: nothing that looks like Jira at ${config.jiraUrl} (${config.contextPath}/status answered HTTP ${status.status}, ${config.contextPath}/rest/auth/1/session HTTP ${rest.status})`,
    'Check JIRA_URL, including Jira\'s context path: https://host/jira if Jira\'s pages live under /jira, https://host if they do not.')
  return true
}

function readState (answer: Answer): string | undefined {
  if (answer.status !== 200) return undefined
  try {
    const state = (JSON.parse(answer.text) as { state?: unknown } | null)?.state
    return typeof state === 'string' && /^[A-Z_]{1,40}$/.test(state) ? state : undefined
  } catch {
    return undefined
  }
}

function isJson (answer: Answer): boolean {
  return String(answer.headers['content-type'] ?? '').includes('json')
}

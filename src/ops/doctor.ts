import type { Dispatcher } from 'undici'
import type { Config } from '../config.js'
import { createJiraDispatcher } from '../proxy/dispatcher.js'
import { checkStore } from '../store/check.js'
import { JiraSession } from '../tokens/session.js'
import { reportCluster } from './doctor/cluster.js'
import { checkJira } from './doctor/jira.js'
import { JiraProbe } from './doctor/probe.js'
import { printedReport } from './doctor/report.js'
import { checkServiceIdentity } from './doctor/service.js'
import { configurationSummary, sourceLookup } from './doctor/summary.js'
import { checkListenerTls } from './tls.js'

export { egressFor } from './doctor/egress.js'

/**
 * `bigpicture-auth-proxy doctor`: what an operator asks first ("is it my configuration, the
 * network, the account or the app?"), answered in plain words, one line per check.
 *
 * Every check is a single request and nothing is retried: the service identity's login is tried
 * exactly once, because a few failed logins make Jira demand a CAPTCHA and lock the account out
 * of every REST login. No secret (password, PAT, API key, cookie, JWT) is ever printed; secrets
 * are described only as "set" or "from file".
 */
export interface DoctorOptions {
  /**
   * The environment the configuration was read from; it only tells a secret given directly from
   * one read from a `*_FILE`, and names the CA file. Values of secrets are never read from it.
   */
  env?: Record<string, string | undefined>
  /** Directory of the `.env` file, for the same purpose. */
  cwd?: string
  /** Per-request limit of the checks; defaults to the smaller of UPSTREAM_TIMEOUT_MS and 15 s. */
  timeoutMs?: number
  /** Replaces the HTTP client toward Jira (it is closed at the end either way). */
  dispatcher?: Dispatcher
}

/** A doctor should answer in seconds, not after the proxy's generous upstream timeout. */
const DEFAULT_TIMEOUT_MS = 15_000

/**
 * Runs every check, prints one line each (`✔`/`✘`, and a hint under each `✘`), and resolves 0
 * when all is well, 1 otherwise. Never throws for anything Jira or the network does.
 */
export async function runDoctor (config: Config, print: (line: string) => void, options: DoctorOptions = {}): Promise<number> {
  const report = printedReport(print)

  print(`bigpicture-auth-proxy doctor: checking ${config.jiraUrl}`)
  for (const line of configurationSummary(config, sourceLookup(options.env, options.cwd))) report.pass(line)
  const tls = config.listenerTls === undefined ? undefined : checkListenerTls(config.listenerTls.files)
  if (tls?.ok === true) report.pass(tls.text)
  else if (tls?.ok === false) report.fail(tls.text, tls.hint)

  const timeoutMs = options.timeoutMs ?? Math.min(config.upstreamTimeoutMs, DEFAULT_TIMEOUT_MS)
  const dispatcher = options.dispatcher ?? createJiraDispatcher({ ...config, upstreamTimeoutMs: timeoutMs })
  // One cookie jar for every check, as the proxy keeps one per session: on a Data Center cluster
  // the balancer's affinity cookie in it keeps the login, system/auth and logout on one node.
  const session = new JiraSession()
  const jira = new JiraProbe(dispatcher, config, timeoutMs, session)
  try {
    const reachable = await checkJira(jira, config, report)
    if (!reachable) {
      report.note('Jira could not be reached, so the service identity and the apps were not checked.')
    } else if (config.service === undefined) {
      reportCluster(session, report)
      report.note('No service identity is configured, so no login and no system/auth were tried; callers bring their own Jira cookie, password or token.')
    } else {
      await checkServiceIdentity(jira, session, config, dispatcher, timeoutMs, report)
    }
  } finally {
    await dispatcher.close().catch(() => {})
  }

  if (config.store !== undefined) await checkStore(config.store, report.pass, report.fail)

  const { failures } = report
  print(failures === 0 ? 'All checks passed.' : `${failures} check${failures === 1 ? '' : 's'} failed; see the hints above.`)
  return failures === 0 ? 0 : 1
}

import type { Dispatcher } from 'undici'
import type { Config } from '../../config.js'
import { AuthClient, type LoginOutcome } from '../../tokens/auth-client.js'
import { readJwtExpiry } from '../../tokens/jwt.js'
import type { JiraSession } from '../../tokens/session.js'
import { reportCluster } from './cluster.js'
import { describeDuration, explainAuthAnswer, explainLogin, explainNotTokens, explainTransportError } from './explain.js'
import type { Answer, JiraProbe } from './probe.js'
import type { Report } from './report.js'

/**
 * The service identity's login (once: a few failed logins make Jira demand a CAPTCHA), `system/auth`
 * once per app, then the logout of the session the doctor opened. All of them carry `session`,
 * the doctor's cookie jar, as the proxy's own calls do.
 */
export async function checkServiceIdentity (jira: JiraProbe, session: JiraSession, config: Config, dispatcher: Dispatcher, timeoutMs: number, report: Report): Promise<void> {
  const service = config.service
  if (service === undefined) return
  const who = service.kind === 'password' ? `user "${service.username}"` : 'the personal access token'
  const client = new AuthClient({ dispatcher, jiraOrigin: config.jiraOrigin, contextPath: config.contextPath, timeoutMs })

  let login: LoginOutcome
  try {
    login = service.kind === 'password'
      ? await client.loginWithPassword(service.username, service.password, session)
      : await client.loginWithToken(service.token, session)
  } catch (err) {
    const why = explainTransportError(err, config)
    report.fail(`Login as ${who}: ${why.text}`, `${why.hint} The login was tried once and not repeated.`)
    return
  }
  if (!login.ok) {
    const why = explainLogin(login, service.kind, who, config)
    // Without a session, system/auth cannot be asked; a second login is never tried.
    report.fail(`${why.text}; the apps were not checked`, why.hint)
    return
  }
  report.pass(`Login as ${who}: Jira accepted it (one attempt; the session is closed again below)`)

  for (const app of config.apps) await checkApp(jira, config, app, report)
  reportCluster(session, report)

  try {
    const out = await jira.request('/rest/auth/1/session', 'DELETE')
    if (out.status === 204 || out.status === 200) report.pass('Logout: the Jira session opened for these checks is closed')
    else if (out.status === 401) report.pass('Logout: the Jira session opened for these checks had already ended')
    else report.fail(`Logout: Jira answered HTTP ${out.status}`, 'Harmless for the proxy: Jira ends idle sessions by itself.')
  } catch (err) {
    const why = explainTransportError(err, config)
    report.fail(`Logout: ${why.text}`, 'Harmless for the proxy: Jira ends idle sessions by itself.')
  }
}

async function checkApp (jira: JiraProbe, config: Config, app: string, report: Report): Promise<void> {
  let answer: Answer
  try {
    answer = await jira.request(`/rest/${app}/1.0/system/auth`)
  } catch (err) {
    const why = explainTransportError(err, config)
    report.fail(`${app}: system/auth: ${why.text}`, why.hint)
    return
  }
  const refused = explainAuthAnswer(app, answer.status, answer.headers['x-ausername'] === 'anonymous')
  if (refused !== undefined) {
    report.fail(refused.text, refused.hint)
    return
  }
  const lifetimes = readTokenLifetimes(answer)
  if (lifetimes === undefined) {
    const why = explainNotTokens(app)
    report.fail(why.text, why.hint)
    return
  }
  report.pass(`${app}: system/auth issued tokens (authentication valid ${lifetimes.authentication}, refresh ${lifetimes.refresh})`)
}

/** How long the issued tokens live, in words; undefined when the answer is not a token pair. */
function readTokenLifetimes (answer: Answer): { authentication: string, refresh: string } | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(answer.text)
  } catch {
    return undefined
  }
  const { authentication, refresh } = (parsed ?? {}) as { authentication?: unknown, refresh?: unknown }
  if (typeof authentication !== 'string' || typeof refresh !== 'string' || authentication === '' || refresh === '') return undefined
  const date = Date.parse(String(answer.headers.date ?? ''))
  const jiraNow = Number.isNaN(date) ? Date.now() : date
  const life = (token: string): string => {
    const exp = readJwtExpiry(token)
    return exp === undefined ? 'for an unknown time' : describeDuration(exp * 1000 - jiraNow)
  }
  return { authentication: life(authentication), refresh: life(refresh) }
}

import type { SimulatorStats } from '../src/simulator/index.js'
import type { FaultSchedule } from './faults.js'
import type { SoakIdentity } from './identities.js'
import type { JiraRecord } from './jira-record.js'
import type { InvariantName, Ledger } from './ledger.js'
import type { ResourceSample } from './monitor.js'
import type { SoakOptions } from './options.js'

/** One invariant's verdict as the report shows it. */
export interface InvariantResult {
  name: InvariantName
  description: string
  pass: boolean
  /** How many times it was checked, and how many of those failed. */
  checked: number
  violations: number
  examples: string[]
}

export const DESCRIPTIONS: Record<InvariantName, string> = {
  'accepted-posts-reach-jira-once': 'every create-task POST the client saw accepted (201) reached Jira exactly once, byte-identical, as its own user and app',
  'no-body-doubled': 'no body reached Jira twice or altered, and every body Jira recorded was sent by a client (even for requests the client saw fail)',
  'uploads-intact': 'every upload Jira recorded arrived whole, once, as its sender; every accepted upload is recorded',
  'identities-never-mix': 'the simulator saw no cookie/JWT mismatch, and every answer (X-AUSERNAME, /myself, echoed task, recorded user) names the identity that asked',
  'no-fixable-401': 'no 401 reached a client the proxy could have refreshed (see soak/README.md for the exact exceptions)',
  'proxy-errors-are-coded-json': 'every 5xx a client saw carries the proxy\'s {"error","code"} JSON (in a cluster, or the balancer\'s page for an exchange a node crash cut)',
  'proxy-errors-only-under-faults': 'every error the proxy answered itself (other than a 401) is explained by a fault window overlapping the request: UPSTREAM_UNREACHABLE by jira-down or a node crash, UPSTREAM_TIMEOUT by jira-down or latency-spike, BIGPICTURE_AUTH_FAILED by auth-500, auth-garbage or a node crash; nothing else',
  'every-request-answered': 'every request the client did not abort got an HTTP answer (a cut connection is allowed only while Jira was down or as a node crashed), none hung',
  'token-calls-bounded': 'login, auth and reauth calls per identity (and in total) stay within the bound derived from token lifetime, duration and faults',
  'no-failed-logins-or-captcha': 'Jira saw no failed login and demanded no CAPTCHA',
  'memory-bounded': 'the proxy\'s RSS and heap after the run are within the bound of their level after warm-up',
  'sockets-return-to-baseline': 'the proxy\'s open descriptors and sockets return to their idle baseline after a short settle',
  'healthz-always-200': '/_proxy/healthz answered 200 to every poll (every 250 ms) from start to end'
}

/** Per identity: what the simulator counted and the bound it is held to. */
export interface TokenCallRow {
  identity: string
  kind: string
  requests: number
  apps: number
  login: number
  loginBound: number
  auth: number
  reauth: number
  authReauthBound: number
}

export interface TokenCallBounds {
  rows: TokenCallRow[]
  totals: { login: number, auth: number, reauth: number, loginBound: number, authReauthBound: number }
  formula: string
}

/**
 * The token-call bound (documented in soak/README.md). With L the authentication token lifetime,
 * Lr the refresh token lifetime and s the refresh skew, the proxy refreshes every R = L - min(s, L/2)
 * seconds per app in use. Per identity:
 *   refreshes = A x (sessions + ceil(D/R) + ceil(D/Lr) + events) + streamed
 *   auth + reauth <= 2 x refreshes + 2 x requestsWhileAuthFails
 *   logins <= 1 + sessionExpiries + jiraOutages            (proxy-made; cookie clients: their own)
 */
export function tokenCallBounds (identities: readonly SoakIdentity[], stats: SimulatorStats, faults: FaultSchedule, options: SoakOptions, endMs: number): TokenCallBounds {
  const L = options.authTokenSeconds
  const R = L - Math.min(options.refreshSkewSeconds, L / 2)
  const Lr = options.refreshTokenSeconds
  const outages = faults.log.filter((f) => f.name === 'jira-down').length
  const rows: TokenCallRow[] = []
  const totals = { login: 0, auth: 0, reauth: 0, loginBound: 0, authReauthBound: 0 }
  for (const identity of identities) {
    const calls = stats.callsByUser[identity.user] ?? {}
    const bp = identity.bigPicture
    const D = bp.firstMs === undefined ? 0 : Math.max(0, endMs - bp.firstMs) / 1000
    const A = bp.apps.size
    const events = faults.eventsFor(identity.user)
    const expiries = events.filter((e) => e.kind === 'expire-sessions').length
    const sessions = identity.kind === 'cookie' ? Math.max(1, identity.loginSuccesses) : 1
    const refreshes = A === 0 ? 0 : A * (sessions + Math.ceil(D / R) + Math.ceil(D / Lr) + events.length) + bp.streamed
    const authReauthBound = 2 * refreshes + 2 * bp.inAuthFailureWindows
    // The proxy logs in with a password (POST: "login") or a PAT (GET of the session with the PAT:
    // "pat_login"; a replica checking a session another stored is a GET by cookie, not a login);
    // cookie clients log in themselves.
    const login = identity.kind === 'pat' ? calls.pat_login ?? 0 : calls.login ?? 0
    const loginBound = identity.kind === 'cookie' ? identity.loginAttempts : (bp.requests > 0 || identity.kind === 'service' ? 1 + expiries + outages : 0)
    const row: TokenCallRow = {
      identity: identity.id, kind: identity.kind, requests: bp.requests, apps: A,
      login, loginBound, auth: calls.auth ?? 0, reauth: calls.reauth ?? 0, authReauthBound
    }
    rows.push(row)
    totals.auth += row.auth
    totals.reauth += row.reauth
    totals.authReauthBound += authReauthBound
    totals.login += login
    totals.loginBound += loginBound
  }
  return {
    rows,
    totals,
    formula: `R = L - min(skew, L/2) = ${R} s (L = ${L} s, skew = ${options.refreshSkewSeconds} s), Lr = ${Lr} s; ` +
      'auth+reauth <= 2 x (A x (sessions + ceil(D/R) + ceil(D/Lr) + token/session events) + streamed) + 2 x requests while system/auth fails; ' +
      'proxy logins <= 1 + session expiries + Jira outages; cookie-client logins <= their own login attempts'
  }
}

export interface MemoryVerdict {
  baseline: ResourceSample | undefined
  final: { rssBytes: number | undefined, heapUsedBytes: number | undefined, fds: number | undefined, sockets: number | undefined }
  idle: ResourceSample | undefined
  rssLimitBytes: number | undefined
  heapLimitBytes: number | undefined
  fdLimit: number | undefined
  socketLimit: number | undefined
}

const MiB = 1024 * 1024
/** Post-run memory may exceed the post-warm-up level by this factor plus this slack. */
export const MEMORY_FACTOR = 1.5
export const RSS_SLACK_BYTES = 64 * MiB
export const HEAP_SLACK_BYTES = 16 * MiB
/** Descriptors allowed above the idle baseline after the settle. */
export const FD_SLACK = 2

export interface FinalInputs {
  ledger: Ledger
  stats: SimulatorStats
  record: JiraRecord
  identities: readonly SoakIdentity[]
  tokenCalls: TokenCallBounds
  /** One per proxy process. */
  memory: readonly MemoryVerdict[]
  health: { polls: number, failures: number, examples: string[] }
  /** Requests never answered, described. */
  hung: string[]
}

/** Every invariant's verdict, from the running tallies plus the end-of-run comparisons. */
export function evaluate (input: FinalInputs): InvariantResult[] {
  const { ledger, stats, record } = input

  // Bodies: what the clients sent against what Jira recorded.
  const accepted = ledger.tally('accepted-posts-reach-jira-once')
  const doubled = ledger.tally('no-body-doubled')
  const mix = ledger.tally('identities-never-mix')
  for (const [soakId, sent] of ledger.tasks) {
    const seen = record.bySoakId.get(soakId) ?? []
    doubled.checked++
    if (seen.length > 1) fail(doubled, `${soakId} (${sent.bytes} B${sent.streamed ? ', streamed' : ''}, client saw ${sent.outcome}) reached Jira ${seen.length} times`)
    for (const got of seen) {
      if (got.sha256 !== sent.sha256) fail(doubled, `${soakId} (${sent.bytes} B${sent.streamed ? ', streamed' : ''}, client saw ${sent.outcome}) reached Jira altered: ${got.bytes} B, different bytes`)
      mix.checked++
      if (got.user !== sent.user || got.app !== sent.app) fail(mix, `${soakId} sent by ${sent.user} to ${sent.app} was recorded for ${got.user} in ${got.app}`)
    }
    if (sent.status !== 201) continue
    accepted.checked++
    if (seen.length !== 1) fail(accepted, `${soakId} (${sent.bytes} B${sent.streamed ? ', streamed' : ''}) answered 201 but Jira recorded it ${seen.length} times`)
    else if (seen[0]?.sha256 !== sent.sha256) fail(accepted, `${soakId} (${sent.bytes} B) answered 201 but Jira's copy differs (${seen[0]?.bytes} B)`)
  }
  for (const [soakId, seen] of record.bySoakId) {
    if (!ledger.tasks.has(soakId)) fail(doubled, `Jira recorded ${seen.length} body(ies) with soakId ${soakId}, which no client sent`)
  }
  for (const f of record.foreign) fail(doubled, `Jira recorded a ${f.bytes} B body without a soakId for ${f.user}`)

  const uploads = ledger.tally('uploads-intact')
  const byKey = new Map<string, Array<{ user: string, bytes: number }>>()
  for (const u of stats.uploads) {
    const list = byKey.get(u.issueKey)
    if (list === undefined) byKey.set(u.issueKey, [u])
    else list.push(u)
  }
  for (const [key, sent] of ledger.uploads) {
    const seen = byKey.get(key) ?? []
    uploads.checked++
    if (seen.length > 1) fail(uploads, `${key} (${sent.bytes} B, client saw ${sent.outcome}) reached Jira ${seen.length} times`)
    for (const got of seen) {
      if (got.bytes !== sent.bytes) fail(uploads, `${key} (${sent.bytes} B, client saw ${sent.outcome}) reached Jira truncated: ${got.bytes} B`)
      mix.checked++
      if (got.user !== sent.user) fail(mix, `upload ${key} by ${sent.user} was recorded for ${got.user}`)
    }
    if (sent.status === 200 && seen.length === 0) fail(uploads, `${key} answered 200 but Jira has no record of it`)
  }
  for (const key of byKey.keys()) if (!ledger.uploads.has(key)) fail(uploads, `Jira recorded an upload to ${key}, which no client sent`)

  mix.checked++
  if (stats.identityMismatches !== 0) fail(mix, `the simulator saw ${stats.identityMismatches} request(s) whose JWT belonged to another user than the session`)

  const answered = ledger.tally('every-request-answered')
  for (const request of input.hung) fail(answered, `hung: ${request}; still unanswered when the drain after the load ended`)

  const tokens = ledger.tally('token-calls-bounded')
  for (const row of input.tokenCalls.rows) {
    tokens.checked++
    if (row.auth + row.reauth > row.authReauthBound) fail(tokens, `${row.identity}: ${row.auth} auth + ${row.reauth} reauth > bound ${row.authReauthBound} (${row.requests} BigPicture requests, ${row.apps} apps)`)
    if (row.login > row.loginBound) fail(tokens, `${row.identity}: ${row.login} logins > bound ${row.loginBound}`)
  }
  const t = input.tokenCalls.totals
  const allAuth = (stats.calls.auth ?? 0) + (stats.calls.reauth ?? 0)
  tokens.checked++
  if (allAuth > t.authReauthBound) fail(tokens, `in total ${allAuth} auth + reauth calls (counting those Jira could not attribute) > ${t.authReauthBound}`)
  const allLogins = (stats.calls.login ?? 0)
  tokens.checked++
  if (allLogins > t.loginBound) fail(tokens, `in total ${allLogins} password logins > ${t.loginBound}`)

  const captcha = ledger.tally('no-failed-logins-or-captcha')
  captcha.checked += 2
  if (stats.loginFailures !== 0) fail(captcha, `Jira saw ${stats.loginFailures} failed login(s)`)
  if (stats.captchaChallenges !== 0) fail(captcha, `Jira demanded a CAPTCHA ${stats.captchaChallenges} time(s)`)

  const memory = ledger.tally('memory-bounded')
  const sockets = ledger.tally('sockets-return-to-baseline')
  // One verdict per proxy process; with replicas each sentence names its replica.
  for (const [i, m] of input.memory.entries()) {
    const who = input.memory.length === 1 ? '' : `replica ${i + 1}: `
    if (m.rssLimitBytes !== undefined && m.final.rssBytes !== undefined) {
      memory.checked++
      if (m.final.rssBytes > m.rssLimitBytes) fail(memory, `${who}RSS ${mib(m.final.rssBytes)} after the run > limit ${mib(m.rssLimitBytes)} (${MEMORY_FACTOR} x ${mib(m.baseline?.rssBytes)} after warm-up + ${mib(RSS_SLACK_BYTES)})`)
    }
    if (m.heapLimitBytes !== undefined && m.final.heapUsedBytes !== undefined) {
      memory.checked++
      if (m.final.heapUsedBytes > m.heapLimitBytes) fail(memory, `${who}heap ${mib(m.final.heapUsedBytes)} after the run > limit ${mib(m.heapLimitBytes)} (${MEMORY_FACTOR} x ${mib(m.baseline?.heapUsedBytes)} after warm-up + ${mib(HEAP_SLACK_BYTES)})`)
    }
      if (m.fdLimit !== undefined && m.final.fds !== undefined) {
      sockets.checked++
      if (m.final.fds > m.fdLimit) fail(sockets, `${who}${m.final.fds} open descriptors after the settle > idle baseline ${m.idle?.fds} + ${FD_SLACK}`)
    }
    if (m.socketLimit !== undefined && m.final.sockets !== undefined) {
      sockets.checked++
      if (m.final.sockets > m.socketLimit) fail(sockets, `${who}${m.final.sockets} open sockets after the settle > idle baseline ${m.idle?.sockets} + ${FD_SLACK}`)
    }
  }
  if (memory.checked === 0) fail(memory, 'no memory reading of the proxy process (is /proc available?)')
  if (sockets.checked === 0) fail(sockets, 'no descriptor reading of the proxy process (is /proc available?)')

  const health = ledger.tally('healthz-always-200')
  health.checked = input.health.polls
  health.violations = input.health.failures
  health.examples.push(...input.health.examples)

  const names = Object.keys(DESCRIPTIONS) as InvariantName[]
  return names.map((name) => {
    const tally = ledger.tally(name)
    return { name, description: DESCRIPTIONS[name], pass: tally.violations === 0, checked: tally.checked, violations: tally.violations, examples: tally.examples }
  })
}

function fail (t: { violations: number, examples: string[] }, sentence: string): void {
  t.violations++
  if (t.examples.length < 12) t.examples.push(sentence)
}

export function mib (bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${(bytes / MiB).toFixed(1)} MiB`
}

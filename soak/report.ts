import type { FaultRecord } from './faults.js'
import { type InvariantResult, type MemoryVerdict, type TokenCallBounds, mib } from './invariants.js'
import { type Ledger, quantile } from './ledger.js'
import type { HealthTally, ResourceSample } from './monitor.js'
import type { Phases, SoakOptions } from './options.js'

export interface LatencySummary {
  count: number
  p50: number | undefined
  p99: number | undefined
  max: number | undefined
}

/** The whole result of a run; `--json` writes exactly this. */
export interface SoakReport {
  pass: boolean
  startedAt: string
  options: SoakOptions
  phases: Phases
  proxy: {
    pid: number
    logLevels: Record<string, number>
    errorLines: string[]
    exit: { code: number | null, signal: string | null, ms: number } | undefined
    /** The process ended on its own during the run. */
    crashed: { code: number | null, signal: string | null } | undefined
    stderrTail: string
    /** Its own counters at the end (requests, token calls, retries, coalesced waiters). */
    counters: Record<string, number>
  }
  /** With several replicas, each proxy process (the first is also `proxy`; `counters` are their sum). */
  replicas?: Array<Omit<SoakReport['proxy'], 'counters'>>
  requests: {
    started: number
    shed: number
    byOutcome: Record<string, number>
    byOp: Record<string, Record<string, number>>
  }
  faults: {
    injected: FaultRecord[]
    byKind: Record<string, number>
    clientAborts: number
  }
  invariants: InvariantResult[]
  latencyMs: { all: LatencySummary, byOp: Record<string, LatencySummary> }
  tokenCalls: TokenCallBounds
  memory: MemoryVerdict & { heapExported: boolean | undefined, timeline: ResourceSample[] }
  health: HealthTally
  jira: {
    tasksRecorded: number
    uploadsRecorded: number
    calls: Record<string, number>
    sessionsCreated: number
    rejectedTokens: number
    identityMismatches: number
    loginFailures: number
    captchaChallenges: number
  }
  notes: Record<string, number>
}

export function summarizeLatency (values: readonly number[]): LatencySummary {
  return {
    count: values.length,
    p50: round(quantile(values, 0.5)),
    p99: round(quantile(values, 0.99)),
    max: round(values.length === 0 ? undefined : values.reduce((a, b) => Math.max(a, b), 0))
  }
}

export function latencyOf (ledger: Ledger): SoakReport['latencyMs'] {
  const all: number[] = []
  const byOp: Record<string, LatencySummary> = {}
  for (const [op, values] of ledger.latencyMs) {
    byOp[op] = summarizeLatency(values)
    for (const v of values) all.push(v)
  }
  return { all: summarizeLatency(all), byOp }
}

function round (n: number | undefined): number | undefined {
  return n === undefined ? undefined : Math.round(n * 10) / 10
}

const byCount = (record: Record<string, number>): Array<[string, number]> => Object.entries(record).sort((a, b) => b[1] - a[1])

/** The report for a person: what ran, what happened, every invariant with its count. */
export function formatReport (r: SoakReport): string {
  const lines: string[] = []
  const o = r.options
  const answered = Object.values(r.requests.byOutcome).reduce((a, b) => a + b, 0)
  lines.push('', `SOAK ${r.pass ? 'PASSED' : 'FAILED'}: ${o.durationSeconds} s, ${o.identities} identities, ${o.rps} rps offered, seed ${o.seed}`)
  lines.push(`  tokens: auth ${o.authTokenSeconds} s, refresh ${o.refreshTokenSeconds} s, skew ${o.refreshSkewSeconds} s; MAX_REPLAY_BODY_BYTES ${o.maxReplayBodyBytes}; UPSTREAM_TIMEOUT_MS ${o.upstreamTimeoutMs}`)
  lines.push(`  phases: warm-up until ${r.phases.warmUpMs / 1000} s, faults until ${r.phases.faultsEndMs / 1000} s, load until ${r.phases.endMs / 1000} s`)

  lines.push('', `Requests: ${r.requests.started} started, ${answered} finished, ${r.requests.shed} shed (in-flight cap)`)
  for (const [label, n] of byCount(r.requests.byOutcome)) lines.push(`  ${String(n).padStart(7)}  ${label}`)

  lines.push('', 'By operation:')
  for (const [op, outcomes] of Object.entries(r.requests.byOp)) {
    const total = Object.values(outcomes).reduce((a, b) => a + b, 0)
    const l = r.latencyMs.byOp[op]
    const top = byCount(outcomes).slice(0, 4).map(([k, n]) => `${k}: ${n}`).join(', ')
    lines.push(`  ${op.padEnd(12)} ${String(total).padStart(6)}  p50 ${fmtMs(l?.p50)} p99 ${fmtMs(l?.p99)}  [${top}]`)
  }
  lines.push(`  latency (all answered, not aborted): p50 ${fmtMs(r.latencyMs.all.p50)}, p99 ${fmtMs(r.latencyMs.all.p99)}, max ${fmtMs(r.latencyMs.all.max)}`)

  lines.push('', `Faults injected: ${r.faults.injected.length} scheduled, plus ${r.faults.clientAborts} client aborts`)
  for (const [name, n] of byCount(r.faults.byKind)) lines.push(`  ${String(n).padStart(4)} x ${name}`)
  for (const f of r.faults.injected) {
    const span = f.endMs === f.startMs ? `${(f.startMs / 1000).toFixed(2)} s` : `${(f.startMs / 1000).toFixed(2)}-${((f.endMs ?? f.startMs) / 1000).toFixed(2)} s`
    lines.push(`       ${span.padEnd(16)} ${f.name}: ${f.detail}`)
  }

  lines.push('', 'Invariants:')
  for (const inv of r.invariants) {
    lines.push(`  ${inv.pass ? 'PASS' : 'FAIL'}  ${inv.name.padEnd(32)} ${String(inv.violations).padStart(5)} violation(s) in ${inv.checked} checks`)
    lines.push(`        ${inv.description}`)
    for (const e of inv.examples) lines.push(`        - ${e}`)
  }

  const tc = r.tokenCalls
  lines.push('', `Token calls per identity (bound: ${tc.formula})`)
  lines.push(`  ${'identity'.padEnd(12)} ${'requests'.padStart(8)} ${'login'.padStart(9)} ${'auth'.padStart(6)} ${'reauth'.padStart(6)} ${'bound'.padStart(6)}`)
  const rows = [...tc.rows].sort((a, b) => (b.auth + b.reauth) / Math.max(1, b.authReauthBound) - (a.auth + a.reauth) / Math.max(1, a.authReauthBound))
  const shown = rows.length > 16 ? [...rows.slice(0, 12), undefined, ...rows.slice(-3)] : rows
  for (const row of shown) {
    if (row === undefined) {
      lines.push(`  ... ${rows.length - 15} more (all in the JSON report)`)
      continue
    }
    lines.push(`  ${row.identity.padEnd(12)} ${String(row.requests).padStart(8)} ${`${row.login}/${row.loginBound}`.padStart(9)} ${String(row.auth).padStart(6)} ${String(row.reauth).padStart(6)} ${String(row.authReauthBound).padStart(6)}`)
  }
  lines.push(`  total: ${tc.totals.login} logins (bound ${tc.totals.loginBound}), ${tc.totals.auth} auth + ${tc.totals.reauth} reauth (bound ${tc.totals.authReauthBound}); Jira's own totals: ${JSON.stringify(r.jira.calls)}`)

  const m = r.memory
  lines.push('', `Proxy memory and sockets (heap ${m.heapExported === true ? 'from its metrics' : 'not exported: RSS only'}):`)
  lines.push(`  idle baseline: ${m.idle?.fds ?? 'n/a'} fds, ${m.idle?.sockets ?? 'n/a'} sockets; after warm-up: RSS ${mib(m.baseline?.rssBytes)}, heap ${mib(m.baseline?.heapUsedBytes)}`)
  lines.push(`  after the run: RSS ${mib(m.final.rssBytes)} (limit ${mib(m.rssLimitBytes)}), heap ${mib(m.final.heapUsedBytes)} (limit ${mib(m.heapLimitBytes)}), ${m.final.fds ?? 'n/a'} fds (limit ${m.fdLimit ?? 'n/a'}), ${m.final.sockets ?? 'n/a'} sockets (limit ${m.socketLimit ?? 'n/a'})`)
  lines.push(`  ${'t (s)'.padStart(7)} ${'phase'.padEnd(10)} ${'RSS'.padStart(10)} ${'heap'.padStart(10)} ${'fds'.padStart(5)} ${'sockets'.padStart(7)} ${'in flight'.padStart(9)}`)
  for (const s of thin(m.timeline, 16)) {
    lines.push(`  ${(s.tMs / 1000).toFixed(1).padStart(7)} ${s.phase.padEnd(10)} ${mib(s.rssBytes).padStart(10)} ${mib(s.heapUsedBytes).padStart(10)} ${String(s.fds ?? '-').padStart(5)} ${String(s.sockets ?? '-').padStart(7)} ${String(s.inFlight).padStart(9)}`)
  }

  lines.push('', `Health: ${r.health.ok}/${r.health.polls} polls answered 200, slowest ${Math.round(r.health.maxMs)} ms`)
  lines.push(`Jira saw: ${r.jira.tasksRecorded} tasks, ${r.jira.uploadsRecorded} uploads, ${r.jira.sessionsCreated} sessions opened, ${r.jira.rejectedTokens} JWTs refused, ${r.jira.identityMismatches} identity mismatches, ${r.jira.loginFailures} failed logins, ${r.jira.captchaChallenges} CAPTCHAs`)
  lines.push(`Proxy: pid ${r.proxy.pid}, log lines ${JSON.stringify(r.proxy.logLevels)}, exit after SIGTERM: ${r.proxy.exit === undefined ? 'n/a' : `${r.proxy.exit.code ?? r.proxy.exit.signal} in ${r.proxy.exit.ms} ms`}`)
  const counters = Object.entries(r.proxy.counters).filter(([name]) => !name.startsWith('bigpicture_proxy_requests_total'))
  if (counters.length > 0) lines.push(`  its counters: ${counters.map(([k, v]) => `${k.replace('bigpicture_proxy_', '')} ${v}`).join(', ')}`)
  if (r.proxy.crashed !== undefined) lines.push(`  THE PROXY EXITED DURING THE RUN (${r.proxy.crashed.code ?? r.proxy.crashed.signal})`)
  for (const [i, p] of (r.replicas ?? []).entries()) {
    if (i === 0) continue
    lines.push(`Replica ${i + 1}: pid ${p.pid}, log lines ${JSON.stringify(p.logLevels)}, exit after SIGTERM: ${p.exit === undefined ? 'n/a' : `${p.exit.code ?? p.exit.signal} in ${p.exit.ms} ms`}`)
    if (p.crashed !== undefined) lines.push(`  REPLICA ${i + 1} EXITED DURING THE RUN (${p.crashed.code ?? p.crashed.signal})`)
    for (const e of p.errorLines.slice(0, 5)) lines.push(`  error log: ${e}`)
  }
  for (const e of r.proxy.errorLines.slice(0, 5)) lines.push(`  error log: ${e}`)
  if (r.proxy.stderrTail !== '') lines.push('  stderr (tail):', ...r.proxy.stderrTail.trimEnd().split('\n').slice(-15).map((l) => `    ${l}`))
  if (Object.keys(r.notes).length > 0) {
    lines.push('', 'Notes:')
    for (const [what, n] of byCount(r.notes)) lines.push(`  ${String(n).padStart(6)} x ${what}`)
  }
  const failed = r.invariants.filter((i) => !i.pass).map((i) => i.name)
  lines.push('', r.pass ? 'Every invariant held.' : `Violated: ${failed.join(', ')}`, '')
  return lines.join('\n')
}

function fmtMs (n: number | undefined): string {
  return n === undefined ? '   n/a' : `${n.toFixed(0).padStart(5)} ms`
}

/** At most `n` samples, evenly spread, always keeping the first and the last. */
function thin<T> (items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items]
  const out: T[] = []
  for (let i = 0; i < n; i++) out.push(items[Math.round((i * (items.length - 1)) / (n - 1))] as T)
  return out
}

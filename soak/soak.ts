import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { buildSimulator } from '../src/simulator/index.js'
import { FaultSchedule } from './faults.js'
import { createIdentities } from './identities.js'
import {
  FD_SLACK, HEAP_SLACK_BYTES, MEMORY_FACTOR, type MemoryVerdict, RSS_SLACK_BYTES, evaluate, mib, tokenCallBounds
} from './invariants.js'
import { JiraRecord } from './jira-record.js'
import { Ledger } from './ledger.js'
import { type HealthTally, Monitor, type ResourceSample } from './monitor.js'
import { type SoakOptions, phasesOf } from './options.js'
import { type ProxyProcess, startProxyProcess } from './proxy-process.js'
import { Random } from './random.js'
import { type SoakReport, latencyOf } from './report.js'
import { type StoreProcess, startStoreProcess } from './store-process.js'
import { Workload } from './workload.js'

/** The built proxy CLI, next to this file once compiled (dist/soak -> dist/src/cli.js). */
export const PROXY_CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url))

/**
 * How long in-flight requests may take to finish after the load stops: a few upstream timeouts in
 * a row (token calls, the request, the one retry), at most 25 s.
 */
function drainMs (options: SoakOptions): number {
  return Math.min(25_000, 3 * options.upstreamTimeoutMs + 5000)
}
/** How long the proxy gets to close idle connections before descriptors are compared. */
const SETTLE_MS = 10_000

/**
 * One soak run: the simulator in this process with short token lifetimes, the built proxy as a
 * child process, the clients and the fault schedule; then every invariant. Never throws for a
 * violation: the report says what failed.
 */
export async function runSoak (options: SoakOptions, log: (line: string) => void = () => {}, cli = PROXY_CLI): Promise<SoakReport> {
  const phases = phasesOf(options)
  const random = new Random(options.seed)
  const sim = buildSimulator({
    users: {},
    authTokenSeconds: options.authTokenSeconds,
    refreshTokenSeconds: options.refreshTokenSeconds,
    ...(options.nodes > 1 ? { nodes: options.nodes, affinity: { mode: options.affinity } } : {})
  })
  const identities = createIdentities(options.identities, sim.control)
  const service = identities.find((i) => i.kind === 'service')
  if (service === undefined) throw new Error('no service identity')
  const jiraUrl = await sim.listen(0)

  // Replicas share one redis-server, started here; a single proxy keeps its state in memory.
  let store: StoreProcess | undefined
  const proxies: ProxyProcess[] = []
  try {
    if (options.replicas > 1) store = await startStoreProcess()
    const storeEnv: Record<string, string> = store === undefined ? {} : { STORE_URL: store.url, STORE_SECRET: randomBytes(32).toString('base64') }
    for (let i = 0; i < options.replicas; i++) {
      const logPath = options.proxyLogPath === undefined || i === 0 ? options.proxyLogPath : `${options.proxyLogPath}.replica${i + 1}`
      proxies.push(await startProxyProcess(cli, { ...proxyEnv(options, jiraUrl, service), ...storeEnv }, logPath))
    }
  } catch (err) {
    for (const p of proxies) await p.stop().catch(() => undefined)
    await store?.kill()
    await sim.close()
    throw err
  }
  for (const [i, p] of proxies.entries()) log(`proxy ${i + 1} pid ${p.pid} at ${p.url}${store === undefined ? '' : `, store at ${store.url}`}, simulator at ${jiraUrl}`)
  const proxy = proxies[0] as ProxyProcess

  const started = performance.now()
  const clock = (): number => performance.now() - started
  let phase = 'idle'
  const ledger = new Ledger()
  const record = new JiraRecord(sim.stats)
  const others = identities.filter((i) => i.kind !== 'service')
  const faults = new FaultSchedule(sim.control, random, phases, options.faults, () => {
    // A few users at random, the service account always among them.
    return [service.user, ...random.shuffle(others).slice(0, 3).map((i) => i.user)]
  }, options.nodes, store)
  const workload = new Workload({ proxyUrls: proxies.map((p) => p.url), identities, ledger, faults, random, clock, options, balancerPort: options.nodes > 1 ? sim.port : undefined })
  const monitors = proxies.map((p) => new Monitor(p.url, p.pid, clock, () => workload.inFlight, () => phase))
  const monitor = monitors[0] as Monitor

  for (const m of monitors) m.start()
  await sleep(300)
  const idles = await Promise.all(monitors.map((m) => m.sample()))

  let baselines: ResourceSample[] = []
  let hung: string[] = []
  let exits: Array<SoakReport['proxy']['exit']> | undefined
  const digestTimer = setInterval(() => record.digest(), 1000)
  let progress: NodeJS.Timeout | undefined
  try {
    phase = 'warm-up'
    workload.start()
    // A fault that cannot be applied ends the run with an error once the load is over.
    const faultRun = faults.run(clock).then(() => undefined, (err: unknown) => err)
    progress = setInterval(() => {
      const last = monitor.samples[monitor.samples.length - 1]
      const bad = [...ledger.tallies.values()].reduce((n, t) => n + t.violations, 0)
      log(`${(clock() / 1000).toFixed(0).padStart(4)} s ${phase.padEnd(9)} started ${ledger.started}, in flight ${workload.inFlight}, faults ${faults.log.length}/${faults.planned}, violations so far ${bad}; proxy RSS ${mib(last?.rssBytes)}, heap ${mib(last?.heapUsedBytes)}, fds ${last?.fds ?? '-'}; soak heap ${mib(process.memoryUsage().heapUsed)}`)
    }, 5000)
    await sleep(Math.max(0, phases.warmUpMs - clock()))
    baselines = await Promise.all(monitors.map((m) => m.sample()))
    phase = 'faults'
    await sleep(Math.max(0, phases.faultsEndMs - clock()))
    phase = 'cool-down'
    await sleep(Math.max(0, phases.endMs - clock()))
    phase = 'drain'
    hung = await workload.stop(drainMs(options))
    clearInterval(progress)
    await faults.stop()
    const faultError = await faultRun
    await workload.close()
    if (faultError !== undefined) throw faultError

    // Idle: every proxy should let go of every connection it opened for the load.
    phase = 'settle'
    const settleEnd = clock() + SETTLE_MS
    const memory = await Promise.all(monitors.map(async (m, i) => await settle(m, idles[i] as ResourceSample, baselines[i] as ResourceSample, () => clock() < settleEnd)))
    record.digest()

    const counters = sumOf(await Promise.all(monitors.map((m) => m.counters())))
    for (const m of monitors) await m.stop()
    exits = await Promise.all(proxies.map((p) => p.stop()))

    const tokenCalls = tokenCallBounds(identities, sim.stats, faults, options, phases.endMs)
    const loginsThatOpenedSessions = (sim.stats.calls.login ?? 0) + (sim.stats.calls.pat_login ?? 0)
    const passthroughSessions = sim.stats.sessionsCreated - loginsThatOpenedSessions
    if (passthroughSessions > 0) {
      ledger.note('Jira sessions opened by Basic/PAT requests passed through to plain Jira endpoints (one per credential, again after a fault killed it)', passthroughSessions)
    }
    const invariants = evaluate({ ledger, stats: sim.stats, record, identities, tokenCalls, memory, health: mergedHealth(monitors), hung })
    const byKind: Record<string, number> = {}
    for (const f of faults.log) byKind[f.name] = (byKind[f.name] ?? 0) + 1
    let clientAborts = 0
    for (const [label, n] of ledger.outcomes) if (label.startsWith('aborted by the client')) clientAborts += n
    const mapOf = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m].sort((a, b) => b[1] - a[1]))
    return {
      pass: invariants.every((i) => i.pass),
      startedAt: new Date(Date.now() - clock()).toISOString(),
      options,
      phases,
      proxy: { ...processReport(proxy, exits[0]), counters },
      ...(proxies.length > 1 ? { replicas: proxies.map((p, i) => processReport(p, exits?.[i])) } : {}),
      requests: {
        started: ledger.started,
        shed: ledger.shed,
        byOutcome: mapOf(ledger.outcomes),
        byOp: Object.fromEntries([...ledger.byOp].map(([op, m]) => [op, mapOf(m)]))
      },
      faults: { injected: faults.log, byKind, clientAborts },
      invariants,
      latencyMs: latencyOf(ledger),
      tokenCalls,
      memory: { ...(memory[0] as MemoryVerdict), heapExported: monitor.heapExported, timeline: monitor.samples },
      health: mergedHealth(monitors),
      jira: {
        tasksRecorded: record.count,
        uploadsRecorded: sim.stats.uploads.length,
        calls: { ...sim.stats.calls },
        sessionsCreated: sim.stats.sessionsCreated,
        rejectedTokens: sim.stats.rejectedTokens,
        identityMismatches: sim.stats.identityMismatches,
        loginFailures: sim.stats.loginFailures,
        captchaChallenges: sim.stats.captchaChallenges
      },
      notes: mapOf(ledger.notes)
    }
  } finally {
    clearInterval(digestTimer)
    clearInterval(progress)
    await workload.close().catch(() => {})
    for (const m of monitors) await m.stop().catch(() => {})
    if (exits === undefined) for (const p of proxies) await p.stop().catch(() => undefined)
    await store?.kill()
    await sim.close()
  }
}

/** The proxy's environment: configured only by it, as a deployment would run it. */
function proxyEnv (options: SoakOptions, jiraUrl: string, service: { user: string, password: string }): Record<string, string> {
  return {
    JIRA_URL: jiraUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    JIRA_USERNAME: service.user,
    JIRA_PASSWORD: service.password,
    TOKEN_REFRESH_SKEW_SECONDS: String(options.refreshSkewSeconds),
    MAX_REPLAY_BODY_BYTES: String(options.maxReplayBodyBytes),
    UPSTREAM_TIMEOUT_MS: String(options.upstreamTimeoutMs),
    LOG_LEVEL: options.logLevel,
    ACCESS_LOG: String(options.accessLog)
  }
}

/**
 * Polls one proxy until its descriptors and sockets are back within the idle baseline (or `more`
 * says time is up), then takes a few more readings: the lowest heap of them is the level the run
 * left behind.
 */
async function settle (monitor: Monitor, idle: ResourceSample, baseline: ResourceSample, more: () => boolean): Promise<MemoryVerdict> {
  const fdLimit = idle.fds === undefined ? undefined : idle.fds + FD_SLACK
  const socketLimit = idle.sockets === undefined ? undefined : idle.sockets + FD_SLACK
  let last = await monitor.sample()
  while (more() && !((fdLimit === undefined || (last.fds ?? 0) <= fdLimit) && (socketLimit === undefined || (last.sockets ?? 0) <= socketLimit))) {
    await sleep(250)
    last = await monitor.sample()
  }
  const settled: ResourceSample[] = [last]
  for (let i = 0; i < 3; i++) {
    await sleep(300)
    settled.push(await monitor.sample())
  }
  const final = settled[settled.length - 1] as ResourceSample
  const heaps = settled.map((s) => s.heapUsedBytes).filter((h): h is number => h !== undefined)
  return {
    baseline,
    idle,
    final: { rssBytes: final.rssBytes, heapUsedBytes: heaps.length === 0 ? undefined : Math.min(...heaps), fds: final.fds, sockets: final.sockets },
    rssLimitBytes: baseline.rssBytes === undefined ? undefined : Math.round(MEMORY_FACTOR * baseline.rssBytes + RSS_SLACK_BYTES),
    heapLimitBytes: baseline.heapUsedBytes === undefined ? undefined : Math.round(MEMORY_FACTOR * baseline.heapUsedBytes + HEAP_SLACK_BYTES),
    fdLimit,
    socketLimit
  }
}

/** The healthz polls of every replica as one tally, each failure naming its replica when there are several. */
function mergedHealth (monitors: readonly Monitor[]): HealthTally {
  if (monitors.length === 1) return (monitors[0] as Monitor).health
  const merged: HealthTally = { polls: 0, ok: 0, failures: 0, maxMs: 0, examples: [] }
  for (const [i, m] of monitors.entries()) {
    merged.polls += m.health.polls
    merged.ok += m.health.ok
    merged.failures += m.health.failures
    merged.maxMs = Math.max(merged.maxMs, m.health.maxMs)
    merged.examples.push(...m.health.examples.map((e) => `replica ${i + 1}: ${e}`))
  }
  merged.examples.splice(12)
  return merged
}

/** The replicas' counters added up, series by series. */
function sumOf (counters: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const c of counters) for (const [name, n] of Object.entries(c)) out[name] = (out[name] ?? 0) + n
  return out
}

function processReport (p: ProxyProcess, exit: SoakReport['proxy']['exit']): Omit<SoakReport['proxy'], 'counters'> {
  return { pid: p.pid, logLevels: p.logLevels, errorLines: p.errorLines, exit, crashed: p.crashed, stderrTail: p.stderrTail() }
}

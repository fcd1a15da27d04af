import { type CallerKind, type Traffic, bareTraffic, productTraffic } from './callers.js'
import { type Bench, SESSIONS } from './context.js'
import type { LoadJob, LoadResult } from './load.js'
import { CAN_PIN, PROXY_CPU, assertAlive, cpuJiffies, cpuSeconds } from './proc.js'
import { BP_ROUTE, JIRA_ROUTE } from './routes.js'
import { type Summary, percentile, summarize } from './stats.js'

export type RouteName = 'bigpicture' | 'jira'

export interface PairConfig { route: RouteName, accessLog: boolean, caller: CallerKind }

export const PAIRS: PairConfig[] = [
  { route: 'bigpicture', accessLog: true, caller: 'cookie' },
  { route: 'jira', accessLog: true, caller: 'cookie' },
  { route: 'bigpicture', accessLog: false, caller: 'cookie' },
  { route: 'jira', accessLog: false, caller: 'cookie' },
  { route: 'bigpicture', accessLog: true, caller: 'service' },
  { route: 'jira', accessLog: true, caller: 'service' },
  { route: 'bigpicture', accessLog: true, caller: 'gateway' },
  { route: 'jira', accessLog: true, caller: 'gateway' }
]

/** A pair's name in progress lines. */
export const pairName = (c: PairConfig): string => `${c.route}${c.caller === 'cookie' ? '' : `, ${c.caller}`}, access log ${c.accessLog ? 'on' : 'off'}`

/** One round of bare and product loaded at the same time. */
export interface PairRound {
  productRps: number
  bareRps: number
  /** product/bare throughput. */
  ratio: number
  productCpuUsPerRequest: number
  bareCpuUsPerRequest: number
  /** product/bare CPU per request. */
  cpuRatio: number
  /** CPU the two proxies used together, as a share of one CPU. */
  proxyCpuShare: number
  /**
   * Idle share of the proxies' CPU during the round (0 when not pinned). Near 0 means the proxies
   * were the bottleneck, as they should be; other work on a shared machine may take the rest.
   */
  proxyCpuIdle: number
  /** Share of the proxies' CPU that other processes on the machine took: noise, ideally 0. */
  foreignCpuShare: number
  /** Anything but a 2xx, on either side: a round with these measures the wrong thing. */
  failures: number
}

export interface PairSummary extends PairConfig {
  ratio: Summary
  cpuRatio: Summary
  productRps: Summary
  bareRps: Summary
  proxyCpuShare: Summary
  proxyCpuIdle: Summary
  foreignCpuShare: Summary
  failures: number
  rounds: PairRound[]
}

const pathOf = (route: RouteName): string => route === 'bigpicture' ? BP_ROUTE : JIRA_ROUTE

const failuresOf = (r: LoadResult): number => r.non2xx + r.errors + r.timeouts

/** One of two proxies loaded together: its process, its URL and what its clients send. */
export interface Side { pid: number, url: string, traffic: Traffic }

/**
 * Loads two proxies together for `seconds` (`subject` is reported as product, `reference` as
 * bare), reading their CPU time around it.
 */
export async function loadTogether (bench: Bench, path: string, subject: Side, reference: Side, seconds: number): Promise<PairRound> {
  const job = (side: Side): LoadJob => ({ url: side.url + path, connections: bench.settings.connections, duration: seconds, ...side.traffic, keepLatencies: false })
  const cpuBefore = [cpuSeconds(subject.pid), cpuSeconds(reference.pid)] as const
  const jiffiesBefore = cpuJiffies(PROXY_CPU)
  const started = performance.now()
  // Both jobs leave in the same tick, so both loads cover the same wall-clock window.
  const [p, b] = await Promise.all([
    bench.loaders[0].request<LoadResult>({ job: job(subject) }),
    bench.loaders[1].request<LoadResult>({ job: job(reference) })
  ])
  const wall = (performance.now() - started) / 1000
  const jiffiesAfter = cpuJiffies(PROXY_CPU)
  const productCpu = cpuSeconds(subject.pid) - cpuBefore[0]
  const bareCpu = cpuSeconds(reference.pid) - cpuBefore[1]
  const idle = CAN_PIN ? (jiffiesAfter.idle - jiffiesBefore.idle) / (jiffiesAfter.total - jiffiesBefore.total) : 0
  const productRps = p.requests / p.seconds
  const bareRps = b.requests / b.seconds
  return {
    productRps,
    bareRps,
    ratio: productRps / bareRps,
    productCpuUsPerRequest: (productCpu / p.requests) * 1e6,
    bareCpuUsPerRequest: (bareCpu / b.requests) * 1e6,
    cpuRatio: (productCpu / p.requests) / (bareCpu / b.requests),
    proxyCpuShare: (productCpu + bareCpu) / wall,
    proxyCpuIdle: idle,
    foreignCpuShare: CAN_PIN ? Math.max(0, 1 - idle - (productCpu + bareCpu) / wall) : 0,
    failures: failuresOf(p) + failuresOf(b)
  }
}

/** Loads bare and one product instance together for `seconds`. */
export async function runPair (bench: Bench, config: PairConfig, seconds: number): Promise<PairRound> {
  const product = config.accessLog ? bench.product : bench.productQuiet
  const session = config.accessLog ? SESSIONS.product : SESSIONS.productQuiet
  const round = await loadTogether(bench, pathOf(config.route),
    { pid: product.pid, url: product.url, traffic: productTraffic(config.caller, session) },
    { pid: bench.bare.ipc.pid, url: bench.bare.url, traffic: bareTraffic(bench, config.caller, config.route === 'bigpicture') },
    seconds)
  assertAlive(product, `the ${pairName(config)} load`)
  return round
}

/** Warm-up, then `rounds` rounds of every pair configuration, interleaved so drift hits all alike. */
export async function measureThroughput (bench: Bench, progress: (line: string) => void): Promise<PairSummary[]> {
  const { rounds, seconds, warmupSeconds } = bench.settings
  for (const config of PAIRS) {
    progress(`warm-up ${pairName(config)} (${warmupSeconds} s)`)
    await runPair(bench, config, warmupSeconds)
  }
  const results: PairRound[][] = PAIRS.map(() => [])
  for (let r = 0; r < rounds; r++) {
    for (const [i, config] of PAIRS.entries()) {
      const round = await runPair(bench, config, seconds)
      results[i]?.push(round)
      progress(`round ${r + 1}/${rounds} ${pairName(config)}: product/bare ${round.ratio.toFixed(3)} (${Math.round(round.productRps)} vs ${Math.round(round.bareRps)} req/s), CPU/req ${round.cpuRatio.toFixed(3)}${round.failures > 0 ? `, ${round.failures} FAILED requests` : ''}`)
    }
  }
  return PAIRS.map((config, i) => {
    const list = results[i] as PairRound[]
    const pick = (f: (x: PairRound) => number): Summary => summarize(list.map(f))
    return {
      ...config,
      ratio: pick((x) => x.ratio),
      cpuRatio: pick((x) => x.cpuRatio),
      productRps: pick((x) => x.productRps),
      bareRps: pick((x) => x.bareRps),
      proxyCpuShare: pick((x) => x.proxyCpuShare),
      proxyCpuIdle: pick((x) => x.proxyCpuIdle),
      foreignCpuShare: pick((x) => x.foreignCpuShare),
      failures: list.reduce((n, x) => n + x.failures, 0),
      rounds: list
    }
  })
}

const LATENCY_TARGETS = ['direct', 'floor', 'bare', 'product'] as const
type LatencyTarget = typeof LATENCY_TARGETS[number]
type LatencyTargets = Record<LatencyTarget, Summary>

/** One value per latency target, made by `make`. */
function perTarget<T> (make: (target: LatencyTarget) => T): Record<LatencyTarget, T> {
  return Object.fromEntries(LATENCY_TARGETS.map((target) => [target, make(target)])) as Record<LatencyTarget, T>
}

export interface LatencySummary {
  route: RouteName
  /** Milliseconds, per target: the stub called directly, the floor, bare, product. */
  p50: LatencyTargets
  p99: LatencyTargets
  /** product minus direct, per round, then summarized. */
  addedP50: Summary
  addedP99: Summary
  /** The floor minus direct: what any Node.js proxy adds on this machine. */
  floorAddedP50: Summary
  failures: number
}

/**
 * Concurrency 1, one target at a time (two at once would queue on each other): direct, the floor
 * (bench/floor.ts), bare and product in turn within each round, so a slow minute affects them all.
 */
export async function measureLatency (bench: Bench, progress: (line: string) => void): Promise<LatencySummary[]> {
  const { rounds, latencySeconds } = bench.settings
  const out: LatencySummary[] = []
  for (const route of ['bigpicture', 'jira'] as const) {
    const bare = bareTraffic(bench, 'cookie', route === 'bigpicture')
    const targets = {
      direct: { url: bench.stubUrl, ...bare },
      floor: { url: bench.floor.url, ...bare },
      bare: { url: bench.bare.url, ...bare },
      product: { url: bench.product.url, ...productTraffic('cookie', SESSIONS.product) }
    }
    const p50 = perTarget((): number[] => [])
    const p99 = perTarget((): number[] => [])
    let failures = 0
    // Bare and the product were warmed up by the throughput phase; the floor serves only here.
    await bench.loaders[0].request<LoadResult>({
      job: { url: targets.floor.url + pathOf(route), connections: bench.settings.connections, duration: bench.settings.warmupSeconds, headers: targets.floor.headers }
    })
    for (let r = 0; r < rounds; r++) {
      for (const name of LATENCY_TARGETS) {
        const target = targets[name]
        const result = await bench.loaders[0].request<LoadResult>({
          job: { url: target.url + pathOf(route), connections: 1, duration: latencySeconds, headers: target.headers, keepLatencies: true }
        })
        if (name === 'product') assertAlive(bench.product, `the ${route} latency run`)
        const sorted = result.latencies ?? []
        p50[name].push(percentile(sorted, 50))
        p99[name].push(percentile(sorted, 99))
        failures += failuresOf(result)
      }
      progress(`latency ${route} round ${r + 1}/${rounds}: p50 direct ${fmt(p50.direct.at(-1))} floor ${fmt(p50.floor.at(-1))} bare ${fmt(p50.bare.at(-1))} product ${fmt(p50.product.at(-1))} ms`)
    }
    const added = (list: { direct: number[] }, by: number[]): Summary => summarize(by.map((v, i) => v - (list.direct[i] as number)))
    out.push({
      route,
      p50: perTarget((target) => summarize(p50[target])),
      p99: perTarget((target) => summarize(p99[target])),
      addedP50: added(p50, p50.product),
      addedP99: added(p99, p99.product),
      floorAddedP50: added(p50, p50.floor),
      failures
    })
  }
  return out
}

const fmt = (v: number | undefined): string => v === undefined ? '?' : v.toFixed(3)

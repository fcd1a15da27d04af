import { Pool } from 'undici'
import { type BurstResult, burst } from './clients.js'
import { type Bench, SESSIONS } from './context.js'
import { type Product, assertAlive } from './proc.js'
import { BP_ROUTE, type StubStats, cookieFor } from './routes.js'
import { type Summary, percentile, summarize } from './stats.js'

export interface StormRound {
  /** auth + reauth calls the stub saw during the storm. */
  refreshCalls: number
  auth: number
  reauth: number
  non200: number
  p99: number
  baselineP99: number
  baselineNon200: number
}

export interface StormSummary {
  size: number
  rounds: StormRound[]
  refreshCalls: Summary
  non200: Summary
  p99: Summary
  baselineP99: Summary
  /** Storm p99 over baseline p99, per round. */
  p99Ratio: Summary
}

/**
 * A refresh storm: `stormSize` requests of one identity at the same moment, right after the stub
 * revoked every token, so each one meets a 401 and needs the refresh. The same burst with a valid
 * token is the baseline. Connections are opened beforehand so neither burst pays for them.
 */
export async function measureStorm (bench: Bench, progress: (line: string) => void): Promise<StormSummary> {
  return await stormOver(bench, [bench.product], cookieFor(SESSIONS.storm), 'storm', progress)
}

/**
 * The storm spread evenly over `products` (replicas sharing a store, or one product): every
 * burst sends each its share at the same moment.
 */
export async function stormOver (bench: Bench, products: Product[], cookie: string, name: string, progress: (line: string) => void): Promise<StormSummary> {
  const size = bench.settings.stormSize
  const share = Math.ceil(size / products.length)
  const pools = products.map((p) => new Pool(p.url, { connections: share }))
  const headers = { cookie }
  const everywhere = async (): Promise<BurstResult> => {
    const parts = await Promise.all(pools.map((pool) => burst(pool, BP_ROUTE, headers, share)))
    return { latencies: parts.flatMap((x) => x.latencies).sort((a, b) => a - b), non200: parts.reduce((n, x) => n + x.non200, 0) }
  }
  const rounds: StormRound[] = []
  try {
    await everywhere()
    for (let r = 0; r < bench.settings.rounds; r++) {
      const baseline = await everywhere()
      await bench.stub.request({ cmd: 'reset-counters' })
      await bench.stub.request({ cmd: 'revoke' })
      const storm = await everywhere()
      const stats = await bench.stub.request<StubStats>({ cmd: 'stats' })
      for (const p of products) assertAlive(p, `the ${name}`)
      const round: StormRound = {
        refreshCalls: stats.auth + stats.reauth,
        auth: stats.auth,
        reauth: stats.reauth,
        non200: storm.non200,
        p99: percentile(storm.latencies, 99),
        baselineP99: percentile(baseline.latencies, 99),
        baselineNon200: baseline.non200
      }
      rounds.push(round)
      progress(`${name} ${r + 1}/${bench.settings.rounds}: ${round.refreshCalls} refresh calls (auth ${round.auth}, reauth ${round.reauth}), ${round.non200} non-200, p99 ${round.p99.toFixed(1)} ms vs ${round.baselineP99.toFixed(1)} ms`)
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.close()))
  }
  const pick = (f: (x: StormRound) => number): Summary => summarize(rounds.map(f))
  return {
    size: share * products.length,
    rounds,
    refreshCalls: pick((x) => x.refreshCalls),
    non200: pick((x) => x.non200),
    p99: pick((x) => x.p99),
    baselineP99: pick((x) => x.baselineP99),
    p99Ratio: pick((x) => x.p99 / x.baselineP99)
  }
}

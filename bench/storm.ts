import { Pool } from 'undici'
import { burst } from './clients.js'
import { type Bench, SESSIONS } from './context.js'
import { assertAlive } from './proc.js'
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
  const size = bench.settings.stormSize
  const pool = new Pool(bench.product.url, { connections: size })
  const headers = { cookie: cookieFor(SESSIONS.storm) }
  const rounds: StormRound[] = []
  try {
    await burst(pool, BP_ROUTE, headers, size)
    for (let r = 0; r < bench.settings.rounds; r++) {
      const baseline = await burst(pool, BP_ROUTE, headers, size)
      await bench.stub.request({ cmd: 'reset-counters' })
      await bench.stub.request({ cmd: 'revoke' })
      const storm = await burst(pool, BP_ROUTE, headers, size)
      const stats = await bench.stub.request<StubStats>({ cmd: 'stats' })
      assertAlive(bench.product, 'the refresh storm')
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
      progress(`storm ${r + 1}/${bench.settings.rounds}: ${round.refreshCalls} refresh calls (auth ${round.auth}, reauth ${round.reauth}), ${round.non200} non-200, p99 ${round.p99.toFixed(1)} ms vs ${round.baselineP99.toFixed(1)} ms`)
    }
  } finally {
    await pool.close()
  }
  const pick = (f: (x: StormRound) => number): Summary => summarize(rounds.map(f))
  return {
    size,
    rounds,
    refreshCalls: pick((x) => x.refreshCalls),
    non200: pick((x) => x.non200),
    p99: pick((x) => x.p99),
    baselineP99: pick((x) => x.baselineP99),
    p99Ratio: pick((x) => x.p99 / x.baselineP99)
  }
}

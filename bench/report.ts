import { type CallerKind, GATEWAY_CALLERS } from './callers.js'
import type { MemorySummary } from './memory.js'
import type { Summary } from './stats.js'
import type { StoreSummary } from './store.js'
import type { StormSummary } from './storm.js'
import type { Transfer } from './streaming.js'
import { summarize } from './stats.js'
import type { LatencySummary, PairRound, PairSummary } from './throughput.js'

type Unit = 'percent' | 'ms' | 'count' | 'bytes' | 'MB' | 'times'

interface Target { op: '>=' | '<' | '<=' | '=', limit: number }

/** One figure of the report; `target` absent means it is shown for context only. */
export interface Row {
  section: string
  name: string
  unit: Unit
  value: number
  spread?: [number, number] | undefined
  target?: Target | undefined
  pass?: boolean | undefined
  /** Set when the figure could not be measured properly; the note says why. */
  invalid?: boolean | undefined
  note?: string | undefined
}

/** A transfer counts as flat when RSS grows by less than this share of the body; buffering adds all of it. */
const FLAT_SHARE = 0.25

function meets (value: number, target: Target): boolean {
  switch (target.op) {
    case '>=': return value >= target.limit
    case '<': return value < target.limit
    case '<=': return value <= target.limit
    case '=': return value === target.limit
  }
}

function row (section: string, name: string, unit: Unit, s: Summary | number, target?: Target, note?: string): Row {
  const value = typeof s === 'number' ? s : s.median
  const spread: [number, number] | undefined = typeof s === 'number' || s.rounds.length < 2 ? undefined : [s.min, s.max]
  return { section, name, unit, value, spread, target, pass: target === undefined ? undefined : meets(value, target), note }
}

const routeName = (route: string): string => route === 'bigpicture' ? 'BigPicture route' : 'Jira route'

const CALLERS: Record<CallerKind, string> = {
  cookie: '',
  service: ', service identity (no credentials)',
  gateway: `, gateway mix (${GATEWAY_CALLERS} callers' cookies in turn on each connection)`
}

const pairRowName = (p: PairSummary): string => `${routeName(p.route)}${CALLERS[p.caller]}, access log ${p.accessLog ? 'on' : 'off'}`

/** Every figure with the issue's targets next to it. */
export function buildRows (pairs: PairSummary[], latency: LatencySummary[], storm: StormSummary, streaming: Transfer[], memory: MemorySummary, store: StoreSummary): Row[] {
  const rows: Row[] = []
  const t = 'Throughput product/bare, loaded together (median of rounds)'
  for (const p of pairs) {
    const limit = p.accessLog ? (p.route === 'bigpicture' ? 0.9 : 0.95) : 1
    const failures = p.failures > 0 ? `; ${p.failures} FAILED requests` : ''
    // An idle proxy CPU means the load side, not the proxies, set the pace: the ratio is diluted toward 1.
    const saturation = p.proxyCpuIdle.median > 0.05 ? `; the proxies' CPU was ${(p.proxyCpuIdle.median * 100).toFixed(0)}% idle, so the load side limited` : ''
    const foreign = p.foreignCpuShare.median > 0.1 ? `; other processes took ${(p.foreignCpuShare.median * 100).toFixed(0)}% of that CPU, so figures are noisy` : ''
    rows.push(row(t, pairRowName(p), 'percent', p.ratio, { op: '>=', limit },
      `${Math.round(p.productRps.median)} vs ${Math.round(p.bareRps.median)} req/s, proxies used ${(p.proxyCpuShare.median * 100).toFixed(0)}% of their CPU${failures}${saturation}${foreign}`))
  }
  const c = 'CPU per request product/bare (lower is better)'
  for (const p of pairs) {
    const r = p.rounds
    const us = (f: (x: typeof r[number]) => number): string => (r.map(f).sort((a, b) => a - b)[r.length >> 1] ?? NaN).toFixed(0)
    rows.push(row(c, pairRowName(p), 'percent', p.cpuRatio, undefined,
      `${us((x) => x.productCpuUsPerRequest)} vs ${us((x) => x.bareCpuUsPerRequest)} µs CPU per request`))
  }
  const l = 'Added latency at concurrency 1, product minus direct'
  for (const x of latency) {
    const context = `p50 direct ${x.p50.direct.median.toFixed(3)}, floor ${x.p50.floor.median.toFixed(3)}, bare ${x.p50.bare.median.toFixed(3)}, product ${x.p50.product.median.toFixed(3)} ms${x.failures > 0 ? `; ${x.failures} FAILED` : ''}`
    rows.push(row(l, `${routeName(x.route)} p50`, 'ms', x.addedP50, { op: '<', limit: 0.3 }, context))
    rows.push(row(l, `${routeName(x.route)} p50 of the floor (node:http + undici)`, 'ms', x.floorAddedP50, undefined,
      'what any Node.js proxy adds here (bench/floor.ts)'))
    rows.push(row(l, `${routeName(x.route)} p99`, 'ms', x.addedP99, undefined,
      `p99 direct ${x.p99.direct.median.toFixed(3)}, floor ${x.p99.floor.median.toFixed(3)}, bare ${x.p99.bare.median.toFixed(3)}, product ${x.p99.product.median.toFixed(3)} ms`))
  }
  const s = `Refresh storm: ${storm.size} requests of one identity after revocation`
  rows.push(...stormRows(s, storm))
  rows.push(row(s, 'p99 storm / p99 valid token', 'times', storm.p99Ratio, { op: '<=', limit: 1.5 },
    `p99 ${storm.p99.median.toFixed(1)} ms vs ${storm.baselineP99.median.toFixed(1)} ms`))
  rows.push(...storeRows(store))

  const m = `Memory: ${memory.product.identities} distinct identities`
  const memoryStart = rows.length
  rows.push(row(m, 'per cached identity (product growth minus bare growth)', 'bytes', memory.cacheBytesPerIdentity, { op: '<=', limit: 2048 },
    `product +${mb(memory.product.rssAfter - memory.product.rssBefore)} MB (${Math.round(memory.productBytesPerIdentity)} B/identity), bare +${mb(memory.bare.rssAfter - memory.bare.rssBefore)} MB`))
  rows.push(row(m, `RSS after 100 000 identities${memory.rssAt100kProjected ? ' (projected)' : ''}`, 'MB', memory.rssAt100k / 1e6, { op: '<', limit: 200 },
    `RSS ${mb(memory.product.rssBefore)} MB before; ${memory.product.non200} non-200; ${memory.product.identitiesCached ?? '?'} cached`))
  const b = memory.bounded
  const bound = row(m, `bound holds with IDENTITY_CACHE_MAX=${b.cacheMax}: growth over the last half`, 'MB', memory.boundedLateGrowth / 1e6, undefined,
    `unbounded grew ${mb(memory.unboundedLateGrowth)} MB over the same half; ${b.identitiesCached ?? '?'} cached; RSS ${mb(b.rssBefore)} -> ${mb(b.rssAfter)} MB`)
  // Plateau: once full, the bounded cache may churn but must not keep growing like the unbounded one.
  bound.target = { op: '<=', limit: memory.unboundedLateGrowth / 4 / 1e6 }
  bound.pass = (b.identitiesCached ?? Infinity) <= (b.cacheMax ?? 0) && memory.boundedLateGrowth <= memory.unboundedLateGrowth / 4
  rows.push(bound)
  // Identities the product refused hold no tokens: the figures above would flatter it.
  const refused = [memory.product, memory.bare, memory.bounded].filter((r) => r.non200 > 0)
  if (refused.length > 0) {
    const why = refused.map((r) => `${r.target}${r.cacheMax === undefined ? '' : ` (max ${r.cacheMax})`}: ${r.non200} of ${r.identities} refused ${JSON.stringify(r.refusals)}`).join('; ')
    for (const r of rows.slice(memoryStart)) {
      r.pass = false
      r.invalid = true
      r.note = `${why}. ${r.note ?? ''}`
    }
  }

  const st = 'Streaming through the passthrough: RSS peak minus before'
  for (const x of streaming) {
    const r = row(st, `${x.target} ${x.direction} ${x.bytes / 1048576} MiB`, 'MB', (x.rssPeak - x.rssBefore) / 1e6,
      x.target === 'product' ? { op: '<', limit: (x.bytes * FLAT_SHARE) / 1e6 } : undefined,
      `RSS ${mb(x.rssBefore)} -> ${mb(x.rssPeak)} MB, ${x.received === x.bytes ? 'all bytes arrived' : `${x.received} of ${x.bytes} bytes arrived`}, status ${x.status}, ${x.mibPerSecond.toFixed(0)} MiB/s`)
    if (r.pass !== undefined) r.pass = r.pass && x.received === x.bytes && x.status === 200
    rows.push(r)
  }
  return rows
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)

/** A storm's two targets; every storm must be perfect, so the worst round is judged, not the median. */
function stormRows (section: string, storm: StormSummary): Row[] {
  const calls = row(section, 'auth + reauth calls per storm', 'count', storm.refreshCalls, { op: '=', limit: 1 },
    `per round: ${storm.rounds.map((x) => `${x.auth} auth + ${x.reauth} reauth`).join(', ')}`)
  calls.pass = storm.rounds.every((x) => x.refreshCalls === 1)
  const non200 = row(section, 'non-200 answers per storm', 'count', storm.non200, { op: '=', limit: 0 },
    `worst round ${storm.non200.max}`)
  non200.pass = storm.non200.max === 0
  return [calls, non200]
}

/** The shared store's rows, or one saying why they could not be measured. */
function storeRows (store: StoreSummary): Row[] {
  const section = 'Shared store (STORE_URL, a local redis-server)'
  if (store.ratio === undefined || store.storm === undefined) {
    return [{ section, name: 'BigPicture route throughput with the store / without', unit: 'percent', value: NaN, target: { op: '>=', limit: 0.95 }, pass: false, invalid: true, note: store.skipped }]
  }
  const failures = store.rounds.reduce((n, x) => n + x.failures, 0)
  const rps = (f: (x: PairRound) => number): number => summarize(store.rounds.map(f)).median
  const rows = [row(section, 'BigPicture route throughput with the store / the same build without', 'percent', store.ratio, { op: '>=', limit: 0.95 },
    `${Math.round(rps((x) => x.productRps))} vs ${Math.round(rps((x) => x.bareRps))} req/s, CPU per request ${((store.cpuRatio?.median ?? NaN) * 100).toFixed(1)}%${failures > 0 ? `; ${failures} FAILED requests` : ''}`)]
  rows.push(...stormRows(`${section}: refresh storm of ${store.storm.size} requests over ${store.replicas} replicas`, store.storm))
  return rows
}

function format (unit: Unit, v: number): string {
  switch (unit) {
    case 'percent': return `${(v * 100).toFixed(1)}%`
    case 'ms': return `${v.toFixed(3)} ms`
    case 'count': return Number.isInteger(v) ? String(v) : v.toFixed(1)
    case 'bytes': return `${Math.round(v)} B`
    case 'MB': return `${v.toFixed(1)} MB`
    case 'times': return `${v.toFixed(2)}x`
  }
}

function verdict (r: Row): string {
  if (r.target === undefined || r.pass === undefined) return ''
  if (r.pass) return 'PASS'
  if (r.invalid === true) return 'NOT MEASURED (see note)'
  // The median meets the limit but something else failed (a bad round, refused requests).
  if (meets(r.value, r.target)) return 'MISS (see note)'
  const gap = Math.abs(r.value - r.target.limit)
  const by = r.unit === 'percent' ? `${(gap * 100).toFixed(1)} pts` : format(r.unit, gap)
  return `MISS by ${by}`
}

/** The table, one section per measurement, targets and verdicts beside each figure. */
export function renderTable (rows: Row[]): string {
  const cells = rows.map((r) => [
    r.name,
    format(r.unit, r.value),
    r.spread === undefined ? '' : `${format(r.unit, r.spread[0])} .. ${format(r.unit, r.spread[1])}`,
    r.target === undefined ? '' : `${r.target.op === '=' ? '=' : r.target.op.replace('>=', '≥').replace('<=', '≤')} ${format(r.unit, r.target.limit)}`,
    verdict(r)
  ])
  const header = ['figure', 'median', 'spread (min .. max)', 'target', 'result']
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)))
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(widths[i] as number)).join('  ').trimEnd()
  const out: string[] = []
  let section = ''
  rows.forEach((r, i) => {
    if (r.section !== section) {
      section = r.section
      out.push('', section, line(header))
    }
    out.push(line(cells[i] as string[]))
    if (r.note !== undefined) out.push(`    ${r.note}`)
  })
  return out.join('\n')
}

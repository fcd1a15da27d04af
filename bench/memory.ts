import { join } from 'node:path'
import { Pool } from 'undici'
import { stubToken } from './callers.js'
import { get, runTasks } from './clients.js'
import { type Bench, logFile, productEnv } from './context.js'
import { IpcChild, PROXY_CPU, type Product, assertAlive, rssBytes, sampleRss, sleep, startProduct, stopChild } from './proc.js'
import { BP_ROUTE, cookieFor } from './routes.js'

export interface IdentityRun {
  target: 'product' | 'bare'
  identities: number
  /** IDENTITY_CACHE_MAX, for the product. */
  cacheMax: number | undefined
  rssBefore: number
  rssAfter: number
  rssPeak: number
  /** RSS after each tenth of the identities. */
  checkpoints: Array<{ identities: number, rss: number }>
  non200: number
  /** Non-200 answers by `status code` (the product's error code), to say why identities were refused. */
  refusals: Record<string, number>
  /** The product's own count of cached identities at the end (its metrics endpoint). */
  identitiesCached: number | undefined
}

export interface MemorySummary {
  product: IdentityRun
  bare: IdentityRun
  bounded: IdentityRun
  /** Product RSS growth per identity. */
  productBytesPerIdentity: number
  /** The same minus bare's growth under the same traffic: what caching an identity costs. */
  cacheBytesPerIdentity: number
  /** RSS after 100 000 identities: measured in a full run, extrapolated from a quick one. */
  rssAt100k: number
  rssAt100kProjected: boolean
  /** Growth of the bounded product over the second half of its identities, after its cache was full. */
  boundedLateGrowth: number
  /** What the unbounded product grew over the same number of identities. */
  unboundedLateGrowth: number
}

const CONCURRENCY = 64
const WARM_REQUESTS = 2000
/** Lets timers, log buffers and sockets of the previous step settle before RSS is read. */
const SETTLE_MS = 500

/**
 * Sends one BigPicture request for each of `identities` distinct Jira sessions. The product gets
 * the cookie alone and fetches each identity's tokens from the stub; bare's client fetches them
 * itself and sends cookie and token, so bare carries the same headers without caching anything.
 */
async function identityTraffic (bench: Bench, target: 'product' | 'bare', url: string, pid: number, prefix: string, cacheMax: number | undefined, product?: Product): Promise<IdentityRun> {
  const n = bench.settings.identities
  const pool = new Pool(url, { connections: CONCURRENCY })
  const stub = new Pool(bench.stubUrl, { connections: CONCURRENCY })
  const headersFor = async (session: string): Promise<Record<string, string>> => {
    const cookie = cookieFor(session)
    if (target === 'product') return { cookie }
    return { cookie, authorization: await stubToken(stub, cookie) }
  }
  let non200 = 0
  const refusals: Record<string, number> = {}
  try {
    // JIT, pools and logger buffers settle before the baseline is read.
    const warm = await headersFor(`${prefix}-warm`)
    await runTasks(WARM_REQUESTS, CONCURRENCY, async () => { await get(pool, BP_ROUTE, warm) })
    await sleep(SETTLE_MS)
    const rssBefore = rssBytes(pid)
    const sampler = sampleRss(pid, 100)
    const checkpoints: IdentityRun['checkpoints'] = []
    await runTasks(n, CONCURRENCY, async (i) => {
      const res = await pool.request({ path: BP_ROUTE, method: 'GET', headers: await headersFor(`${prefix}-${i}`) })
      const text = await res.body.text()
      if (res.statusCode === 200) return
      non200++
      const reason = `${res.statusCode} ${/"code":"([A-Z_]+)"/.exec(text)?.[1] ?? ''}`.trim()
      refusals[reason] = (refusals[reason] ?? 0) + 1
    }, n / 10, (done) => checkpoints.push({ identities: done, rss: rssBytes(pid) }))
    await sleep(SETTLE_MS)
    if (product !== undefined) assertAlive(product, 'the identity run')
    const rssAfter = rssBytes(pid)
    const { peak } = sampler.stop()
    let identitiesCached: number | undefined
    if (target === 'product') {
      const res = await pool.request({ path: '/_proxy/metrics', method: 'GET' })
      const match = /^bigpicture_proxy_identities_cached (\d+)/m.exec(await res.body.text())
      identitiesCached = match === null ? undefined : Number(match[1])
    }
    return { target, identities: n, cacheMax, rssBefore, rssAfter, rssPeak: peak, checkpoints, non200, refusals, identitiesCached }
  } finally {
    await pool.close()
    await stub.close()
  }
}

/**
 * Fresh processes for each run, so earlier phases leave nothing behind: the product with room for
 * every identity, bare under the same traffic, and the product with a small cache to show the bound.
 */
export async function measureMemory (bench: Bench, progress: (line: string) => void): Promise<MemorySummary> {
  const n = bench.settings.identities
  const line = (run: IdentityRun): string => `${run.target}${run.cacheMax === undefined ? '' : ` (IDENTITY_CACHE_MAX=${run.cacheMax})`}: ${run.identities} identities, RSS ${mb(run.rssBefore)} -> ${mb(run.rssAfter)} MB (peak ${mb(run.rssPeak)}), ${run.non200} non-200${run.non200 > 0 ? ` ${JSON.stringify(run.refusals)}` : ''}${run.identitiesCached === undefined ? '' : `, ${run.identitiesCached} cached`}`

  const productRun = async (cacheMax: number, name: string): Promise<IdentityRun> => {
    await bench.stub.request({ cmd: 'forget' })
    // Every identity here is a real session: the first-contact limit (a flood guard) is lifted.
    const product = await startProduct(bench.productEntry, productEnv(bench, { IDENTITY_CACHE_MAX: String(cacheMax), NEW_SESSIONS_PER_SECOND: '1000000' }), logFile(bench, name), bench.tmp, bench.productNodeArgs)
    try {
      const run = await identityTraffic(bench, 'product', product.url, product.pid, name, cacheMax, product)
      progress(line(run))
      return run
    } finally {
      await stopChild(product.child)
    }
  }

  const product = await productRun(n, 'memory')

  await bench.stub.request({ cmd: 'forget' })
  const { ipc, ready } = await IpcChild.start(PROXY_CPU, join(import.meta.dirname, 'bare.js'), [bench.stubUrl])
  let bare: IdentityRun
  try {
    bare = await identityTraffic(bench, 'bare', `http://127.0.0.1:${ready.port as number}`, ipc.pid, 'memory-bare', undefined)
    progress(line(bare))
  } finally {
    await ipc.stop()
  }

  const bounded = await productRun(bench.settings.boundedCache, 'memory-bounded')
  await bench.stub.request({ cmd: 'forget' })

  const productGrowth = product.rssAfter - product.rssBefore
  const bareGrowth = bare.rssAfter - bare.rssBefore
  const half = (run: IdentityRun): number => (run.checkpoints.at(-1)?.rss ?? run.rssAfter) - (run.checkpoints[4]?.rss ?? run.rssBefore)
  return {
    product,
    bare,
    bounded,
    productBytesPerIdentity: productGrowth / n,
    cacheBytesPerIdentity: (productGrowth - bareGrowth) / n,
    rssAt100k: n >= 100_000 ? product.rssAfter : product.rssBefore + (productGrowth / n) * 100_000,
    rssAt100kProjected: n < 100_000,
    boundedLateGrowth: half(bounded),
    unboundedLateGrowth: half(product)
  }
}

/** Reused by the log lines and the report. */
export const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)

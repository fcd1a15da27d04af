import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { request } from 'undici'
import { freePort } from '../soak/store-process.js'
import { productTraffic } from './callers.js'
import { type Bench, SESSIONS, logFile, productEnv } from './context.js'
import { OTHER_CPUS, type Product, assertAlive, pinned, sleep, startProduct, stopChild } from './proc.js'
import { BP_ROUTE, cookieFor } from './routes.js'
import { type Summary, summarize } from './stats.js'
import { type StormSummary, stormOver } from './storm.js'
import { type PairRound, loadTogether } from './throughput.js'

/**
 * The shared store (`STORE_URL`) against a local `redis-server`: BigPicture throughput of a
 * product using the store next to the same build without one (valid tokens are served from
 * memory, so the store should cost next to nothing), and the refresh storm spread over replicas
 * sharing it (one refresh for all of them).
 */
export interface StoreSummary {
  /** Why nothing was measured (no redis-server), if so. */
  skipped: string | undefined
  /** with store / without, per round. */
  ratio: Summary | undefined
  cpuRatio: Summary | undefined
  rounds: PairRound[]
  replicas: number
  storm: StormSummary | undefined
}

/** How many replicas share the store in the storm. */
export const REPLICAS = 3

const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0

/** A `redis-server` in memory only, on a free loopback port, on the CPUs the proxies do not use. */
async function startRedis (): Promise<{ url: string, child: ChildProcess }> {
  const port = await freePort()
  const [cmd, args] = pinned(OTHER_CPUS, ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'])
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
  const deadline = Date.now() + 10_000
  while (!output.includes('Ready to accept connections')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`redis-server did not start: ${output.slice(-500)}`)
    }
    await sleep(25)
  }
  return { url: `redis://127.0.0.1:${port}`, child }
}

/** What the product's readiness says of its store (`up`, `down`), or undefined if it names none. */
async function storeReadiness (product: Product): Promise<string | undefined> {
  const res = await request(`${product.url}/_proxy/readyz`)
  const body = await res.body.json() as { store?: unknown }
  return typeof body.store === 'string' ? body.store : undefined
}


export async function measureStore (bench: Bench, progress: (line: string) => void): Promise<StoreSummary> {
  if (!HAS_REDIS) return { skipped: 'redis-server is not installed', ratio: undefined, cpuRatio: undefined, rounds: [], replicas: REPLICAS, storm: undefined }
  const redis = await startRedis()
  const secret = randomBytes(32).toString('base64')
  const started: Product[] = []
  const storeEnv = { STORE_URL: redis.url, STORE_SECRET: secret, STORE_PREFIX: `bench-${process.pid}:` }
  const start = async (name: string, withStore = true): Promise<Product> => {
    const env = productEnv(bench, withStore ? storeEnv : {})
    const product = await startProduct(bench.productEntry, env, logFile(bench, name), bench.tmp, bench.productNodeArgs)
    started.push(product)
    return product
  }
  try {
    // Both fresh, so neither has had more time to warm up than the other.
    const [stored, plain] = await Promise.all([start('product-store'), start('product-no-store', false)])
    let readiness = await storeReadiness(stored)
    // The product connects to the store as it starts; give it a moment.
    for (let i = 0; i < 50 && readiness === 'down'; i++) {
      await sleep(100)
      readiness = await storeReadiness(stored)
    }
    if (readiness !== 'up') {
      return { skipped: readiness === undefined ? 'this build has no shared store (its readiness names none)' : `the product says the store is ${readiness}`, ratio: undefined, cpuRatio: undefined, rounds: [], replicas: REPLICAS, storm: undefined }
    }
    const { rounds: n, seconds, warmupSeconds } = bench.settings
    // Sessions of their own: the stub's system/auth replaces a session's tokens.
    const round = async (s: number): Promise<PairRound> => {
      const r = await loadTogether(bench, BP_ROUTE,
        { pid: stored.pid, url: stored.url, traffic: productTraffic('cookie', SESSIONS.store) },
        { pid: plain.pid, url: plain.url, traffic: productTraffic('cookie', SESSIONS.product) },
        s)
      assertAlive(stored, 'the store throughput load')
      assertAlive(plain, 'the store throughput load')
      return r
    }
    progress(`warm-up store: product with STORE_URL vs the same build without (${warmupSeconds} s)`)
    await round(warmupSeconds)
    const rounds: PairRound[] = []
    for (let r = 0; r < n; r++) {
      const x = await round(seconds)
      rounds.push(x)
      progress(`round ${r + 1}/${n} store: with/without ${x.ratio.toFixed(3)} (${Math.round(x.productRps)} vs ${Math.round(x.bareRps)} req/s), CPU/req ${x.cpuRatio.toFixed(3)}${x.failures > 0 ? `, ${x.failures} FAILED requests` : ''}`)
    }
    await Promise.all([stopChild(stored.child), stopChild(plain.child)])

    const replicas = await Promise.all(Array.from({ length: REPLICAS }, (_, i) => start(`replica-${i + 1}`)))
    const storm = await stormOver(bench, replicas, cookieFor(SESSIONS.storeStorm), `storm over ${REPLICAS} replicas`, progress)
    return {
      skipped: undefined,
      ratio: summarize(rounds.map((x) => x.ratio)),
      cpuRatio: summarize(rounds.map((x) => x.cpuRatio)),
      rounds,
      replicas: REPLICAS,
      storm
    }
  } finally {
    await Promise.all(started.map((p) => stopChild(p.child)))
    await stopChild(redis.child)
  }
}

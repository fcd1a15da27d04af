import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fetchBareClients } from './callers.js'
import { type Bench, SETTINGS, logFile, productEnv } from './context.js'
import { measureMemory } from './memory.js'
import { CAN_PIN, IpcChild, OTHER_CPUS, PROXY_CPU, pinSelf, startProduct, stopChild } from './proc.js'
import { buildRows, renderTable } from './report.js'
import { measureStore } from './store.js'
import { measureStorm } from './storm.js'
import { measureStreaming } from './streaming.js'
import { measureLatency, measureThroughput } from './throughput.js'

/**
 * `npm run bench [-- --quick] [-- --product <cli.js>] [-- --node-option <flag> ...]`: the product
 * against a bare @fastify/http-proxy in one run, every figure a ratio measured side by side,
 * because absolute timings on shared machines drift by tens of percent from minute to minute.
 * Prints a table; writes bench/results/latest.json. `--product` measures another build (a branch,
 * a fix) with the same harness; `--node-option` (repeatable) starts every product process with
 * that Node.js flag, as an operator would (`node --max-semi-space-size=8 dist/src/cli.js`).
 */
const here = import.meta.dirname
const repo = join(here, '..', '..')
const argv = process.argv.slice(2)
const settings = SETTINGS[argv.includes('--quick') ? 'quick' : 'full']
const productArg = argv.indexOf('--product')
const productEntry = productArg < 0 ? join(repo, 'dist', 'src', 'cli.js') : resolve(argv[productArg + 1] ?? '')
const productNodeArgs = argv.flatMap((arg, i) => arg === '--node-option' && argv[i + 1] !== undefined ? [argv[i + 1] as string] : [])
const started = performance.now()
const progress = (line: string): void => {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`)
}

function git (...args: string[]): string {
  return spawnSync('git', args, { cwd: repo, encoding: 'utf8' }).stdout.trim()
}

async function startBench (tmp: string, stop: Array<() => Promise<void>>): Promise<Bench> {
  const stub = await IpcChild.start(OTHER_CPUS, join(here, 'stub.js'))
  stop.push(() => stub.ipc.stop())
  const stubUrl = `http://127.0.0.1:${stub.ready.port as number}`
  const bare = await IpcChild.start(PROXY_CPU, join(here, 'bare.js'), [stubUrl])
  stop.push(() => bare.ipc.stop())
  const floor = await IpcChild.start(PROXY_CPU, join(here, 'floor.js'), [stubUrl])
  stop.push(() => floor.ipc.stop())
  const product = await startProduct(productEntry, productEnv({ stubUrl }), logFile({ tmp }, 'product'), tmp, productNodeArgs)
  stop.push(() => stopChild(product.child))
  const productQuiet = await startProduct(productEntry, productEnv({ stubUrl }, { ACCESS_LOG: 'false' }), logFile({ tmp }, 'product-quiet'), tmp, productNodeArgs)
  stop.push(() => stopChild(productQuiet.child))
  const loaders = await Promise.all([IpcChild.start(OTHER_CPUS, join(here, 'load.js')), IpcChild.start(OTHER_CPUS, join(here, 'load.js'))])
  for (const l of loaders) stop.push(() => l.ipc.stop())

  // Bare's clients bring their own sessions and tokens, as clients that already speak BigPicture would.
  const bareClients = await fetchBareClients(stubUrl)

  return {
    settings,
    tmp,
    productEntry,
    productNodeArgs,
    stub: stub.ipc,
    stubUrl,
    bare: { ipc: bare.ipc, url: `http://127.0.0.1:${bare.ready.port as number}` },
    floor: { ipc: floor.ipc, url: `http://127.0.0.1:${floor.ready.port as number}` },
    product,
    productQuiet,
    loaders: [loaders[0].ipc, loaders[1].ipc],
    bareClients
  }
}

async function main (): Promise<void> {
  pinSelf()
  if (!CAN_PIN) progress('taskset or a second CPU is missing: processes are not pinned, so ratios are noisier')
  const tmp = mkdtempSync(join(tmpdir(), 'bp-bench-'))
  const stop: Array<() => Promise<void>> = []
  // Products have no IPC channel to notice this process going away: stop them on a signal too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => { void Promise.all(stop.map((fn) => fn().catch(() => {}))).then(() => process.exit(130)) })
  }
  const loadBefore = loadavg()[0]
  let failed = true
  try {
    const bench = await startBench(tmp, stop)
    progress(`stub ${bench.stubUrl}, bare ${bench.bare.url}, product ${bench.product.url} (access log off: ${bench.productQuiet.url})`)
    const throughput = await measureThroughput(bench, progress)
    const latency = await measureLatency(bench, progress)
    const storm = await measureStorm(bench, progress)
    const streaming = await measureStreaming(bench, progress)
    const store = await measureStore(bench, progress)
    const memory = await measureMemory(bench, progress)
    const rows = buildRows(throughput, latency, storm, streaming, memory, store)

    const meta = {
      date: new Date().toISOString(),
      seconds: Math.round((performance.now() - started) / 1000),
      node: process.version,
      cpu: cpus()[0]?.model,
      cpus: cpus().length,
      pinned: CAN_PIN ? { proxies: PROXY_CPU, others: OTHER_CPUS } : false,
      // Other work on the machine is the main source of noise; the load average says how much there was.
      loadAverage: { before: loadBefore, after: loadavg()[0] },
      product: productEntry,
      productNodeArgs,
      commit: git('rev-parse', '--short', 'HEAD'),
      srcChanged: git('status', '--porcelain', 'src') !== ''
    }
    const table = renderTable(rows)
    process.stdout.write(`bigpicture-auth-proxy benchmark (${settings.quick ? 'quick' : 'full'}): ${meta.cpu} x${meta.cpus}, Node ${meta.node}, commit ${meta.commit}${meta.srcChanged ? ' + uncommitted src changes' : ''}${productNodeArgs.length > 0 ? `, product started with ${productNodeArgs.join(' ')}` : ''}, ${meta.seconds} s, load average ${loadBefore.toFixed(1)} -> ${meta.loadAverage.after.toFixed(1)}\n${table}\n`)
    const count = (f: (r: typeof rows[number]) => boolean): number => rows.filter(f).length
    process.stdout.write(`\n${count((r) => r.pass === true)} targets met, ${count((r) => r.pass === false && r.invalid !== true)} missed, ${count((r) => r.invalid === true)} not measured\n`)

    const dir = join(repo, 'bench', 'results')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify({ meta, settings, targets: rows, throughput, latency, storm, streaming, store, memory }, null, 2)}\n`)
    process.stdout.write(`written: ${join('bench', 'results', 'latest.json')}\n`)
    failed = false
  } finally {
    for (const fn of stop.reverse()) await fn().catch(() => {})
    // The product's logs explain a failed run; keep them for that case only.
    if (failed) progress(`logs kept in ${tmp}`)
    else rmSync(tmp, { recursive: true, force: true })
  }
}

await main().catch((err: Error) => {
  process.stderr.write(`benchmark failed: ${err.message}\n`)
  process.exitCode = 1
})

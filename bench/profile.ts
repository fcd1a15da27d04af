import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { SourceMap } from 'node:module'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type CallerKind, productTraffic } from './callers.js'
import { SESSIONS, logFile, productEnv } from './context.js'
import type { LoadResult } from './load.js'
import { IpcChild, OTHER_CPUS, pinSelf, startProduct, stopChild } from './proc.js'
import { BP_ROUTE, JIRA_ROUTE } from './routes.js'

/**
 * `node dist/bench/profile.js [--seconds 15] [--access-log false] [--caller cookie|service|gateway]
 * [--product <cli.js>]`: runs the product under `node --cpu-prof` on the BigPicture route and on the
 * Jira route (one process each, 32 connections, the callers of `npm run bench`), then lists where its CPU time went: self time by function, time by
 * package, and inclusive time of the product's own functions (mapped back to src/*.ts). The
 * .cpuprofile files land in bench/results/ for a flame graph in Chrome DevTools or speedscope.
 */
const here = import.meta.dirname
const repo = join(here, '..', '..')
const argv = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`)
  return i < 0 ? fallback : argv[i + 1] ?? fallback
}
const seconds = Number(option('seconds', '15'))
const accessLog = option('access-log', 'true')
const caller = option('caller', 'cookie') as CallerKind
if (!['cookie', 'service', 'gateway'].includes(caller)) throw new Error('--caller: cookie, service or gateway')
const productEntry = resolve(option('product', join(repo, 'dist', 'src', 'cli.js')))
const results = join(repo, 'bench', 'results')

interface CallFrame { functionName: string, url: string, lineNumber: number, columnNumber: number }
interface ProfileNode { id: number, callFrame: CallFrame, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

const maps = new Map<string, SourceMap | null>()

/** `file:line` of a frame, mapped from dist/*.js to the TypeScript source when a map exists. */
function where (frame: CallFrame): string {
  if (frame.url === '') return ''
  if (!frame.url.startsWith('file://')) return `${frame.url}:${frame.lineNumber + 1}`
  const file = fileURLToPath(frame.url)
  let map = maps.get(file)
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')))
    } catch {
      map = null
    }
    maps.set(file, map)
  }
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string, originalLine?: number } | undefined
  if (entry?.originalSource !== undefined) {
    return `${relative(repo, fileURLToPath(new URL(entry.originalSource, frame.url)))}:${(entry.originalLine ?? 0) + 1}`
  }
  return `${relative(repo, file)}:${frame.lineNumber + 1}`
}

/** Which package (or the product itself, or Node) a frame belongs to. */
function owner (frame: CallFrame): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (frame.url.startsWith('node:')) return 'node core'
  if (frame.url.startsWith('wasm://')) return 'llhttp (wasm, undici)'
  const nm = frame.url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = frame.url.slice(nm + 14).split('/')
    return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1]}` : rest[0] ?? '?'
  }
  return 'product (src/)'
}


/**
 * Self time by function (with the JS function that most often called it, which is what names a
 * native write or hash), by package, and inclusive time of the product's functions. Samples in the
 * first `skipMs` (process start until listening) are left out, so startup does not pollute it.
 */
function summarize (profile: CpuProfile, skipMs: number, requests: number, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<string, number>()
  const callers = new Map<string, Map<string, number>>()
  const label = (frame: CallFrame): string => `${frame.functionName || '(anonymous)'}  ${where(frame)}`
  let elapsed = 0
  const byOwner = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let busy = 0
  profile.samples.forEach((id, i) => {
    const node = byId.get(id) as ProfileNode
    const dt = profile.timeDeltas[i] ?? 0
    elapsed += dt
    if (node.callFrame.functionName === '(idle)' || elapsed < skipMs * 1000) return
    busy += dt
    const key = label(node.callFrame)
    self.set(key, (self.get(key) ?? 0) + dt)
    const up = parent.get(id)
    const caller = up === undefined ? '' : label((byId.get(up) as ProfileNode).callFrame)
    const seenBy = callers.get(key) ?? new Map<string, number>()
    seenBy.set(caller, (seenBy.get(caller) ?? 0) + dt)
    callers.set(key, seenBy)
    const o = owner(node.callFrame)
    byOwner.set(o, (byOwner.get(o) ?? 0) + dt)
    // Each product function on the stack once, however deep it recurses.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame
      if (owner(frame) !== 'product (src/)') continue
      const k = label(frame)
      if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + dt)
      seen.add(k)
    }
  })
  // Share of busy time, and microseconds per request (profile times are in microseconds).
  const pct = (part: number): string => `${((part / busy) * 100).toFixed(1).padStart(5)}% ${(part / requests).toFixed(1).padStart(5)} µs`
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m].sort((a, b) => b[1] - a[1])
  const list = (m: Map<string, number>, n: number): string[] => sorted(m).slice(0, n).map(([k, v]) => `  ${pct(v)}  ${k}`)
  const withCaller = (n: number): string[] => sorted(self).slice(0, n).map(([k, v]) => {
    const [caller] = sorted(callers.get(k) ?? new Map())[0] ?? ['']
    return `  ${pct(v)}  ${k}${caller === '' ? '' : `   <- ${caller}`}`
  })
  return [
    `busy ${(busy / 1e6).toFixed(1)} s of CPU (idle and startup excluded), ${(busy / requests).toFixed(1)} µs per request; columns: share, µs per request`,
    'self time by package:', ...list(byOwner, 12),
    `self time, top ${top} functions (<- their most frequent caller):`, ...withCaller(top),
    'inclusive time of the product\'s own functions:', ...list(inclusive, 20)
  ].join('\n')
}

async function profileRoute (route: 'bigpicture' | 'jira', stubUrl: string, loader: IpcChild, tmp: string): Promise<{ file: string, startupMs: number, requests: number }> {
  const dir = join(tmp, route)
  const spawned = Date.now()
  const product = await startProduct(productEntry, productEnv({ stubUrl }, { ACCESS_LOG: accessLog }), logFile({ tmp }, route), tmp, ['--cpu-prof', '--cpu-prof-dir', dir])
  const startupMs = Date.now() - spawned
  const result = await loader.request<LoadResult>({
    job: { url: product.url + (route === 'bigpicture' ? BP_ROUTE : JIRA_ROUTE), connections: 32, duration: seconds, ...productTraffic(caller, SESSIONS.product), keepLatencies: false }
  })
  // The profile is written when the process exits normally.
  await stopChild(product.child)
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
  if (file === undefined) throw new Error(`no profile written for ${route}`)
  const target = join(results, `${route}${caller === 'cookie' ? '' : `-${caller}`}${accessLog === 'false' ? '-quiet' : ''}.cpuprofile`)
  renameSync(join(dir, file), target)
  process.stdout.write(`\n== ${route} route, ${caller} callers, access log ${accessLog === 'false' ? 'off' : 'on'}: ${Math.round(result.requests / result.seconds)} req/s, ${result.non2xx + result.errors} failures; ${relative(repo, target)}\n`)
  return { file: target, startupMs, requests: result.requests }
}

async function main (): Promise<void> {
  pinSelf()
  mkdirSync(results, { recursive: true })
  const tmp = join(results, 'profile-tmp')
  mkdirSync(tmp, { recursive: true })
  const stub = await IpcChild.start(OTHER_CPUS, join(here, 'stub.js'))
  const loader = await IpcChild.start(OTHER_CPUS, join(here, 'load.js'))
  const stubUrl = `http://127.0.0.1:${stub.ready.port as number}`
  try {
    for (const route of ['bigpicture', 'jira'] as const) {
      const { file, startupMs, requests } = await profileRoute(route, stubUrl, loader.ipc, tmp)
      process.stdout.write(`${summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, startupMs, requests)}\n`)
    }
  } finally {
    await loader.ipc.stop()
    await stub.ipc.stop()
    rmSync(tmp, { recursive: true, force: true })
  }
}

await main()

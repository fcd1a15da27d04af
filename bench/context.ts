import { join } from 'node:path'
import type { BareClients } from './callers.js'
import type { IpcChild, Product } from './proc.js'
import { SERVICE_USER } from './routes.js'

/** What every phase gets: the processes started once for the whole run, and the settings. */
export interface Settings {
  quick: boolean
  rounds: number
  /** Seconds of discarded load before the measured rounds. */
  warmupSeconds: number
  /** Seconds per measured throughput round. */
  seconds: number
  connections: number
  latencySeconds: number
  stormSize: number
  identities: number
  /** IDENTITY_CACHE_MAX of the run that shows the bound holding. */
  boundedCache: number
  streamBytes: number
}

export const SETTINGS: Record<'full' | 'quick', Settings> = {
  full: { quick: false, rounds: 3, warmupSeconds: 5, seconds: 10, connections: 32, latencySeconds: 4, stormSize: 1000, identities: 100_000, boundedCache: 10_000, streamBytes: 200 * 1024 * 1024 },
  quick: { quick: true, rounds: 2, warmupSeconds: 2, seconds: 2.5, connections: 32, latencySeconds: 1, stormSize: 1000, identities: 20_000, boundedCache: 2_000, streamBytes: 200 * 1024 * 1024 }
}

export interface Bench {
  settings: Settings
  /** Where the product's log files and working directory live for this run. */
  tmp: string
  productEntry: string
  /** Node.js flags every product process starts with (`--node-option`). */
  productNodeArgs: string[]
  stub: IpcChild
  stubUrl: string
  bare: { ipc: IpcChild, url: string }
  /** The least a Node.js proxy can do (node:http + undici), for the latency phase. */
  floor: { ipc: IpcChild, url: string }
  /** The product as users run it (access log on), and the same with ACCESS_LOG=false. */
  product: Product
  productQuiet: Product
  /** Two load generators, one per target, so both targets are loaded at once. */
  loaders: [IpcChild, IpcChild]
  /** Sessions and tokens of the bare proxy's clients (bare gets them from its clients). */
  bareClients: BareClients
}

/** The environment the product runs with in every phase, on top of which a phase adds its own. */
export function productEnv (bench: Pick<Bench, 'stubUrl'>, extra: Record<string, string> = {}): Record<string, string> {
  return { JIRA_URL: bench.stubUrl, JIRA_USERNAME: SERVICE_USER.username, JIRA_PASSWORD: SERVICE_USER.password, LOG_LEVEL: 'info', ACCESS_LOG: 'true', ...extra }
}

export const logFile = (bench: Pick<Bench, 'tmp'>, name: string): string => join(bench.tmp, `${name}.log`)

/** Client session ids, one per target, so one proxy's auth call never invalidates another's token. */
export const SESSIONS = {
  bare: 'bench-bare',
  product: 'bench-product',
  productQuiet: 'bench-product-quiet',
  storm: 'bench-storm',
  store: 'bench-store',
  storeStorm: 'bench-store-storm'
} as const

/** What one soak run does: the flags a person gives and the settings derived from them. */
export interface SoakOptions {
  /** Seconds of load, warm-up and cool-down included. */
  durationSeconds: number
  /** Distinct identities (cookie, Basic, PAT clients, plus the one service identity). */
  identities: number
  /** Requests started per second (open loop: a slow proxy does not slow the offered load). */
  rps: number
  /** Where to write the JSON report, if anywhere. */
  jsonPath: string | undefined
  /** Where to copy the proxy's log lines, if anywhere. */
  proxyLogPath: string | undefined
  /** Seed of every random choice, so a failing run can be replayed. */
  seed: number
  /** Run without the fault schedule (client aborts stay): a baseline to compare against. */
  faults: boolean
  /** Clients abort some requests mid-way (about 3%). */
  clientAborts: boolean
  /** Print the progress lines. */
  verbose: boolean
  /** The proxy's access log (one line per request) on, as a deployment would run it. */
  accessLog: boolean
  /** Lifetime of BigPicture authentication tokens in the simulator. */
  authTokenSeconds: number
  /** Lifetime of BigPicture refresh tokens in the simulator. */
  refreshTokenSeconds: number
  /** The proxy's TOKEN_REFRESH_SKEW_SECONDS. */
  refreshSkewSeconds: number
  /** The proxy's MAX_REPLAY_BODY_BYTES, low so the streamed path is exercised. */
  maxReplayBodyBytes: number
  /** The proxy's UPSTREAM_TIMEOUT_MS. */
  upstreamTimeoutMs: number
  /** The proxy's LOG_LEVEL (its "listening on" line is at info, so info or more verbose). */
  logLevel: 'info' | 'debug' | 'trace'
  /** Requests in flight beyond which new ones are shed (counted, not sent). */
  maxInFlight: number
  /** Jira Data Center nodes behind the simulator's balancer (1: a single Jira, no balancer). */
  nodes: number
  /** How the balancer keeps a client on its node, with several nodes. */
  affinity: ClusterAffinity
  /** Proxy processes sharing one redis-server (1: a single proxy, no store). */
  replicas: number
}

/** The balancer's affinity modes the soak can run with (the simulator's, less the broken `none`). */
export const AFFINITIES = ['cookie', 'rotating', 'jvmRoute'] as const
export type ClusterAffinity = typeof AFFINITIES[number]

export const DEFAULTS: Omit<SoakOptions, 'jsonPath' | 'proxyLogPath'> = {
  durationSeconds: 60,
  identities: 50,
  rps: 300,
  seed: 0,
  faults: true,
  clientAborts: true,
  verbose: true,
  accessLog: true,
  authTokenSeconds: 8,
  refreshTokenSeconds: 24,
  refreshSkewSeconds: 2,
  maxReplayBodyBytes: 1024 * 1024,
  upstreamTimeoutMs: 4000,
  logLevel: 'info',
  maxInFlight: 800,
  nodes: 1,
  affinity: 'cookie',
  replicas: 1
}

export const USAGE = `Usage: node dist/soak/run.js [options]

  --duration <s>     seconds of load, warm-up and cool-down included (default 60, min 10)
  --identities <n>   identities: cookie, Basic and PAT clients plus the service identity (default 50, min 4)
  --rps <n>          requests started per second (default 300)
  --json <file>      also write the report as JSON
  --proxy-log <file> copy the proxy's log lines (pino JSON) to a file
  --log-level <l>    the proxy's LOG_LEVEL: info (default), debug or trace
  --seed <n>         seed of the random choices (default: time-based, printed in the report)
  --no-faults        no fault schedule (client aborts still happen)
  --no-client-aborts clients never abort a request
  --no-access-log    run the proxy with ACCESS_LOG=false
  --nodes <n>        Jira as a Data Center of n nodes behind a sticky balancer (default 1); with
                     2 or more the fault schedule also stops and restarts a node
  --affinity <mode>  the balancer's stickiness: cookie (default), rotating (AWSALB) or jvmRoute
  --replicas <n>     n proxy processes sharing one redis-server the soak starts (default 1); with
                     2 or more the load is spread over them and the schedule also kills the store
  --quiet            no progress lines
  --help             this text

Exit code: 0 when every invariant holds, 1 when one fails, 2 on bad arguments.`

export class UsageError extends Error {}

/** Parses `argv` (without node and the script); throws UsageError with a sentence on bad input. */
export function parseOptions (argv: readonly string[], now = Date.now()): SoakOptions | 'help' {
  const options: SoakOptions = { ...DEFAULTS, jsonPath: undefined, proxyLogPath: undefined, seed: now % 2147483647 }
  const integer = (flag: string, value: string | undefined, min: number): number => {
    const n = Number(value)
    if (value === undefined || !Number.isInteger(n) || n < min) throw new UsageError(`${flag} needs a whole number >= ${min}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = (): string | undefined => inline ?? argv[++i]
    switch (flag) {
      case '--duration': options.durationSeconds = integer(flag, value(), 10); break
      case '--identities': options.identities = integer(flag, value(), 4); break
      case '--rps': options.rps = integer(flag, value(), 1); break
      case '--seed': options.seed = integer(flag, value(), 0); break
      case '--nodes': options.nodes = integer(flag, value(), 1); break
      case '--replicas': options.replicas = integer(flag, value(), 1); break
      case '--affinity': {
        const given = value()
        const mode = AFFINITIES.find((a) => a === given)
        if (mode === undefined) throw new UsageError(`--affinity is one of ${AFFINITIES.join(', ')}`)
        options.affinity = mode
        break
      }
      case '--json':
      case '--proxy-log': {
        const path = value()
        if (path === undefined || path === '') throw new UsageError(`${flag} needs a file name`)
        if (flag === '--json') options.jsonPath = path
        else options.proxyLogPath = path
        break
      }
      case '--log-level': {
        const level = value()
        if (level !== 'info' && level !== 'debug' && level !== 'trace') throw new UsageError('--log-level is info, debug or trace')
        options.logLevel = level
        break
      }
      case '--no-faults': options.faults = false; break
      case '--no-client-aborts': options.clientAborts = false; break
      case '--no-access-log': options.accessLog = false; break
      case '--quiet': options.verbose = false; break
      case '--help': case '-h': return 'help'
      default: throw new UsageError(`unknown argument "${arg}"`)
    }
  }
  return options
}

/** The phases of a run, in milliseconds from its start. */
export interface Phases {
  /** Load without faults; memory and sockets are measured at its end. */
  warmUpMs: number
  /** The fault schedule runs between warm-up and this point. */
  faultsEndMs: number
  /** Load stops. */
  endMs: number
}

export function phasesOf (options: Pick<SoakOptions, 'durationSeconds'>): Phases {
  const endMs = options.durationSeconds * 1000
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v))
  const warmUpMs = Math.round(clamp(0.15 * endMs, 2000, 10_000))
  const coolDownMs = Math.round(clamp(0.15 * endMs, 3000, 20_000))
  return { warmUpMs, faultsEndMs: endMs - coolDownMs, endMs }
}

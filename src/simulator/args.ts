import { DEFAULT_USERS, normalizeContextPath } from './state.js'
import type { AffinityOptions } from './types.js'

/** What `bigpicture-auth-proxy simulate` listens on, whom it knows, and (when asked) its cluster shape. */
export interface SimulateArgs {
  port: number
  host: string
  contextPath: string
  users: Record<string, string>
  /** Jira nodes behind a balancer; absent: a single Jira. */
  nodes?: number
  /** The balancer's stickiness; absent: the simulator's default. */
  affinity?: AffinityOptions
}

const FLAGS = ['--port', '--host', '--context-path', '--users', '--nodes', '--affinity', '--affinity-cookie', '--affinity-set']
const MAX_NODES = 16
const AFFINITY_MODES: Readonly<Record<string, AffinityOptions['mode']>> = { cookie: 'cookie', rotating: 'rotating', jvmroute: 'jvmRoute', none: 'none' }
const SET_COOKIE_ON = ['assign', 'every', 'session'] as const
// RFC 6265 cookie-name: an HTTP token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

export const DEFAULT_SIMULATOR_PORT = 8090

function parsePort (value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
  if (!(port >= 0 && port <= 65535)) throw new Error(`--port must be a number from 0 to 65535, got "${value}"`)
  return port
}

function parseNodes (value: string): number {
  const nodes = /^\d{1,2}$/.test(value) ? Number(value) : Number.NaN
  if (!(nodes >= 1 && nodes <= MAX_NODES)) throw new Error(`--nodes must be a number from 1 to ${MAX_NODES}, got "${value}"`)
  return nodes
}

interface AffinityFlags { mode?: string, cookie?: string, setCookie?: string }

/** The affinity the three flags describe together; undefined when none was given. */
function affinityFrom (flags: AffinityFlags): AffinityOptions | undefined {
  if (flags.mode === undefined && flags.cookie === undefined && flags.setCookie === undefined) return undefined
  const mode = AFFINITY_MODES[flags.mode ?? 'cookie']
  if (mode === undefined) throw new Error(`--affinity must be one of cookie, rotating, jvmroute, none, got "${flags.mode ?? ''}"`)
  if (flags.cookie !== undefined && !COOKIE_NAME.test(flags.cookie)) throw new Error(`--affinity-cookie must be a cookie name, got "${flags.cookie}"`)
  if (flags.setCookie !== undefined && mode !== 'cookie') throw new Error('--affinity-set applies to --affinity cookie only')
  if (mode === 'cookie') {
    const setCookie = SET_COOKIE_ON.find((on) => on === flags.setCookie)
    if (flags.setCookie !== undefined && setCookie === undefined) throw new Error(`--affinity-set must be one of assign, every, session, got "${flags.setCookie}"`)
    return { mode, ...(flags.cookie === undefined ? {} : { cookie: flags.cookie }), ...(setCookie === undefined ? {} : { setCookie }) }
  }
  if (mode === 'rotating') return { mode, ...(flags.cookie === undefined ? {} : { cookie: flags.cookie }) }
  if (flags.cookie !== undefined) throw new Error(`--affinity-cookie does not apply to --affinity ${flags.mode ?? ''}`)
  return { mode }
}

function parseUsers (value: string): Record<string, string> {
  const users: Record<string, string> = {}
  for (const entry of value.split(',')) {
    const colon = entry.indexOf(':')
    const name = entry.slice(0, colon).trim()
    if (colon === -1 || name === '' || colon === entry.length - 1) {
      throw new Error(`--users takes name:password pairs separated by commas, got "${entry}"`)
    }
    users[name] = entry.slice(colon + 1)
  }
  return users
}

/**
 * Parses `simulate [--port N] [--host H] [--context-path /jira] [--users alice:pw,bob:pw]
 * [--nodes N] [--affinity cookie|rotating|jvmroute|none] [--affinity-cookie NAME]
 * [--affinity-set assign|every|session]` (also `--flag=value`; a leading `simulate` is skipped).
 * Throws an Error naming the bad flag.
 */
export function parseSimulateArgs (argv: string[]): SimulateArgs {
  const args: SimulateArgs = { port: DEFAULT_SIMULATOR_PORT, host: '127.0.0.1', contextPath: '', users: { ...DEFAULT_USERS } }
  const affinity: AffinityFlags = {}
  const rest = argv[0] === 'simulate' ? argv.slice(1) : [...argv]
  while (rest.length > 0) {
    const arg = rest.shift() as string
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg
    if (!FLAGS.includes(flag)) throw new Error(`unknown option "${flag}" for simulate (expected ${FLAGS.join(', ')})`)
    const value = eq !== -1 && flag !== arg ? arg.slice(eq + 1) : rest.shift()
    if (value === undefined || (value.startsWith('--') && flag === arg)) throw new Error(`${flag} needs a value`)
    if (flag === '--port') args.port = parsePort(value)
    else if (flag === '--host') {
      if (value.trim() === '') throw new Error('--host must not be empty')
      args.host = value
    } else if (flag === '--context-path') {
      if (value !== '' && !value.startsWith('/')) throw new Error(`--context-path must start with "/", got "${value}"`)
      args.contextPath = normalizeContextPath(value)
    } else if (flag === '--users') args.users = parseUsers(value)
    else if (flag === '--nodes') args.nodes = parseNodes(value)
    else if (flag === '--affinity') affinity.mode = value
    else if (flag === '--affinity-cookie') affinity.cookie = value
    else affinity.setCookie = value
  }
  const parsedAffinity = affinityFrom(affinity)
  if (parsedAffinity !== undefined) args.affinity = parsedAffinity
  return args
}

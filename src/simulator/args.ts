import { DEFAULT_USERS, normalizeContextPath } from './state.js'

/** What `bigpicture-auth-proxy simulate` listens on and whom it knows. */
export interface SimulateArgs {
  port: number
  host: string
  contextPath: string
  users: Record<string, string>
}

export const DEFAULT_SIMULATOR_PORT = 8090

function parsePort (value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
  if (!(port >= 0 && port <= 65535)) throw new Error(`--port must be a number from 0 to 65535, got "${value}"`)
  return port
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
 * Parses `simulate [--port N] [--host H] [--context-path /jira] [--users alice:pw,bob:pw]`
 * (also `--flag=value`; a leading `simulate` is skipped). Throws an Error naming the bad flag.
 */
export function parseSimulateArgs (argv: string[]): SimulateArgs {
  const args: SimulateArgs = { port: DEFAULT_SIMULATOR_PORT, host: '127.0.0.1', contextPath: '', users: { ...DEFAULT_USERS } }
  const rest = argv[0] === 'simulate' ? argv.slice(1) : [...argv]
  while (rest.length > 0) {
    const arg = rest.shift() as string
    const eq = arg.indexOf('=')
    const flag = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg
    if (!['--port', '--host', '--context-path', '--users'].includes(flag)) {
      throw new Error(`unknown option "${flag}" for simulate (expected --port, --host, --context-path, --users)`)
    }
    const value = eq !== -1 && flag !== arg ? arg.slice(eq + 1) : rest.shift()
    if (value === undefined || (value.startsWith('--') && flag === arg)) throw new Error(`${flag} needs a value`)
    if (flag === '--port') args.port = parsePort(value)
    else if (flag === '--host') {
      if (value.trim() === '') throw new Error('--host must not be empty')
      args.host = value
    } else if (flag === '--context-path') {
      if (value !== '' && !value.startsWith('/')) throw new Error(`--context-path must start with "/", got "${value}"`)
      args.contextPath = normalizeContextPath(value)
    } else args.users = parseUsers(value)
  }
  return args
}

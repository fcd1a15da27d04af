#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { ConfigError, type Config, loadConfig } from './config.js'
import { createLogger } from './logger.js'
import { heapGrowthFlag } from './ops/heap.js'

/**
 * The process: arguments, configuration, listening, signals. The only module that touches
 * `process`; everything it starts is built by testable functions.
 */
const HELP = `bigpicture-auth-proxy: talk to BigPicture, BigGantt and BigTemplate (8.3+) with a Jira
cookie, password or personal access token; the proxy gets, injects and refreshes the JWTs.

Usage:
  bigpicture-auth-proxy              start the proxy (configuration from the environment and .env)
  bigpicture-auth-proxy doctor       check the configuration and Jira, and say what works
  bigpicture-auth-proxy simulate     run the built-in Jira + BigPicture simulator
        [--port 8090] [--host 127.0.0.1] [--context-path /jira] [--users alice:pw,bob:pw]
  bigpicture-auth-proxy --help | --version

Main settings (all are listed in config.example.env):
  JIRA_URL          Jira base URL with its context path, e.g. https://jira.example.com/jira (required)
  HOST, PORT        where to listen (default 127.0.0.1:8080)
  JIRA_USERNAME + JIRA_PASSWORD(_FILE), or JIRA_PAT(_FILE)
                    a service identity for callers that bring no credentials
  PROXY_API_KEYS(_FILE)
                    keys that let non-local callers use the service identity (X-Proxy-Key)

Point your scripts at http://127.0.0.1:8080 instead of Jira; nothing else changes.`

function version (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

function readConfig (): Config {
  try {
    return loadConfig(process.env, { cwd: process.cwd() })
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`bigpicture-auth-proxy: invalid configuration\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`)
    process.exit(2)
  }
}

async function serve (): Promise<void> {
  const config = readConfig()
  // Read dynamically by V8's heap sizing, so setting it before the cache fills is early enough.
  const growth = heapGrowthFlag(process.execArgv)
  if (growth !== undefined) setFlagsFromString(growth)
  // People reading a terminal get pino-pretty; pipes and files get JSON lines. Modules only some
  // commands need are loaded by those commands, so the daemon does not carry them.
  const pretty = process.stdout.isTTY ? (await import('pino-pretty')).default : undefined
  const logger = createLogger(config.logLevel, pretty?.({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }))
  // Log lines are batched; on a quiet proxy none waits longer than this.
  setInterval(() => logger.flush(), 500).unref()
  const { app, loginGuard } = await buildApp(config, { logger })

  // The operator's "I fixed the account": forget login failures and CAPTCHA blocks.
  process.on('SIGHUP', () => {
    loginGuard.reset()
    logger.warn('SIGHUP: login backoff and CAPTCHA blocks cleared')
  })

  closeWithGrace({ delay: config.upstreamTimeoutMs + 5000, logger: false }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'fatal error, shutting down')
    else logger.info({ signal }, 'shutting down: finishing in-flight requests')
    await app.close()
    logger.info('stopped')
    logger.flush()
  })

  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    process.stderr.write(`bigpicture-auth-proxy: cannot listen on ${config.host}:${config.port} (${code ?? (err as Error).message})\n`)
    logger.flush()
    process.exit(1)
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : config.port
  logger.info({ host: config.host, port, jira: config.jiraUrl, apps: config.apps, serviceIdentity: config.service?.kind ?? 'none' }, `listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`)
  // Whoever started the proxy on port 0 waits for this line to learn the port: not a batch later.
  logger.flush()
}

async function simulate (argv: string[]): Promise<void> {
  let args
  try {
    args = (await import('./simulator/args.js')).parseSimulateArgs(argv)
  } catch (err) {
    process.stderr.write(`bigpicture-auth-proxy simulate: ${(err as Error).message}\n`)
    process.exit(2)
  }
  const { buildSimulator } = await import('./simulator/index.js')
  const simulator = buildSimulator({ contextPath: args.contextPath, users: args.users, nodes: args.nodes, affinity: args.affinity })
  const url = await simulator.listen(args.port, args.host)
  process.stdout.write(`Jira + BigPicture simulator listening on ${url} (users: ${Object.keys(args.users).join(', ')})\n`)
  const stop = (): void => { simulator.close().then(() => process.exit(0), () => process.exit(1)) }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

async function main (argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  switch (command) {
    case undefined:
    case 'serve':
      return serve()
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${HELP}\n`)
      return
    case '--version':
    case '-v':
      process.stdout.write(`${version()}\n`)
      return
    case 'simulate':
      return simulate(rest)
    case 'doctor':
      process.exitCode = await (await import('./ops/doctor.js')).runDoctor(readConfig(), (line) => process.stdout.write(`${line}\n`), { env: process.env, cwd: process.cwd() })
      return
    default:
      process.stderr.write(`bigpicture-auth-proxy: unknown command "${command}"; see --help\n`)
      process.exit(2)
  }
}

await main(process.argv.slice(2))

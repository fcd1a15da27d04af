#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import closeWithGrace from 'close-with-grace'
import { ConfigError, type Config, loadConfig } from './config.js'
import { createLogger } from './logger.js'
import { heapGrowthFlag } from './ops/heap.js'
import { SecretFiles } from './ops/reload.js'
import { closeWithin } from './ops/shutdown.js'
import { parseCommand } from './usage.js'

/**
 * The process: arguments, configuration, listening, signals. The only module that touches
 * `process`; everything it starts is built by testable functions.
 */
/** Every setting, its default and why: shipped next to the program. */
const SETTINGS_FILE = fileURLToPath(new URL('../../config.example.env', import.meta.url))

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
  // Loaded here, so --help, --version and a mistyped command answer without loading the server.
  const { buildApp } = await import('./app.js')
  const proxy = await buildApp(config, { logger })
  const { app } = proxy

  // A reload, never a stop: the operator's "I fixed the account" (login holds cleared) and "I
  // rotated a secret" (the *_FILE secrets and the TLS files read again).
  const secretFiles = new SecretFiles(config)
  process.on('SIGHUP', () => {
    const { update, changed, problems } = secretFiles.reread()
    proxy.reload(update)
    for (const problem of problems) logger.error({ problem }, 'SIGHUP: a file could not be used; the previous value stays in use')
    logger.warn({ changed }, `SIGHUP: login backoff and CAPTCHA holds cleared; ${changed.length === 0 ? 'no secret file changed' : `reloaded ${changed.join(', ')}`}`)
  })

  // close-with-grace's own deadline only backs up closeWithin's, should closing itself hang.
  closeWithGrace({ delay: config.shutdownTimeoutMs + 3000, logger: false, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'fatal error, shutting down')
    else logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing in-flight requests')
    const cut = await closeWithin(app, config.shutdownTimeoutMs, (connections) => {
      logger.warn({ connections, timeoutMs: config.shutdownTimeoutMs }, 'shutdown timeout: cutting the connections whose requests are still in flight')
    })
    logger.info(cut === 0 ? 'stopped' : `stopped; ${cut} connection${cut === 1 ? '' : 's'} cut`)
    logger.flush()
    // Requests were lost: a supervisor or an operator reading the exit status should know.
    if (cut > 0) process.exit(1)
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
  logger.info({ host: config.host, port, jira: config.jiraUrl, apps: config.apps, serviceIdentity: config.service?.kind ?? 'none' }, `listening on ${config.listenerTls === undefined ? 'http' : 'https'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`)
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
  const command = parseCommand(argv, SETTINGS_FILE)
  switch (command.kind) {
    case 'serve':
      return serve()
    case 'help':
      process.stdout.write(`${command.text}\n`)
      return
    case 'version':
      process.stdout.write(`${version()}\n`)
      return
    case 'simulate':
      return simulate(command.args)
    case 'doctor':
      process.exitCode = await (await import('./ops/doctor.js')).runDoctor(readConfig(), (line) => process.stdout.write(`${line}\n`), { env: process.env, cwd: process.cwd() })
      return
    case 'error':
      process.stderr.write(`${command.message}\n`)
      process.exit(2)
  }
}

await main(process.argv.slice(2))

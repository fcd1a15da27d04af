#!/usr/bin/env node
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import pretty from 'pino-pretty'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { APP } from './demo/client.js'
import { clusterScript } from './demo/cluster.js'
import { cookieClientScript } from './demo/cookie-client.js'
import { loggerOptions } from './logger.js'
import { buildSimulator } from './simulator/index.js'

/**
 * `npm run demo`: the Jira + BigPicture simulator with the proxy in front of it, and a scripted
 * client that knows only Jira cookies, as every script written before BigPicture 8.3 did (see
 * demo/cookie-client.ts). `--cluster` makes Jira a Data Center of two nodes behind a balancer with
 * cookie affinity, gives the proxy a service identity, and shows which node serves each identity
 * (see demo/cluster.ts).
 *
 * A process entry like cli.ts. It reads no environment and no `.env`: the demo always looks the
 * same. `--once` exits after the script (0 when every step went as shown, 1 otherwise).
 */

const CONTEXT_PATH = '/jira'
/** Short enough to watch one expire; Jira's real tokens live 15 minutes. */
const DEFAULT_TOKEN_SECONDS = 8
const PREFERRED_PORT = 8080
const CLUSTER_NODES = 2
const AFFINITY_COOKIE = 'INGRESSCOOKIE'
const SERVICE = { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' }

const USAGE = 'usage: node dist/src/demo.js [--once] [--cluster] [--token-seconds N]'

const out = (line = ''): void => { process.stdout.write(`${line}\n`) }

interface DemoArgs {
  once: boolean
  cluster: boolean
  tokenSeconds: number
}

/** `--once`, `--cluster` and `--token-seconds N`; anything else is refused with the usage. */
function parseArgs (argv: string[]): DemoArgs {
  const args = { once: false, cluster: false, tokenSeconds: DEFAULT_TOKEN_SECONDS }
  const rest = [...argv]
  while (rest.length > 0) {
    const arg = rest.shift() as string
    if (arg === '--once') {
      args.once = true
    } else if (arg === '--cluster') {
      args.cluster = true
    } else if (arg === '--token-seconds' && /^\d{1,4}$/.test(rest[0] ?? '') && Number(rest[0]) >= 2) {
      args.tokenSeconds = Number(rest.shift())
    } else {
      process.stderr.write(`demo: unexpected argument "${arg}" (--token-seconds takes a whole number of 2 or more)\n${USAGE}\n`)
      process.exit(2)
    }
  }
  return args
}

async function main (argv: string[]): Promise<void> {
  const { once, cluster, tokenSeconds } = parseArgs(argv)
  const sim = buildSimulator({
    contextPath: CONTEXT_PATH,
    authTokenSeconds: tokenSeconds,
    ...(cluster ? { nodes: CLUSTER_NODES, affinity: { mode: 'cookie', cookie: AFFINITY_COOKIE } } : {})
  })
  const simUrl = await sim.listen(0, '127.0.0.1')

  // No `.env` lookup: the demo is configured here, whatever the working directory holds.
  const config = loadConfig({ JIRA_URL: simUrl, PORT: String(PREFERRED_PORT), LOG_LEVEL: 'info', ...(cluster ? SERVICE : {}) }, { cwd: fileURLToPath(new URL('.', import.meta.url)) })
  const logger = pino(loggerOptions(config.logLevel), pretty({
    destination: 2,
    sync: true,
    colorize: process.stderr.isTTY === true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,name,reqId'
  }))
  const { app } = await buildApp(config, { logger, processMetrics: false })
  let port = PREFERRED_PORT
  try {
    await app.listen({ host: '127.0.0.1', port })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    await app.listen({ host: '127.0.0.1', port: 0 })
    const address = app.server.address()
    port = typeof address === 'object' && address !== null ? address.port : 0
    out(`(port ${PREFERRED_PORT} is busy, so the proxy took port ${port})`)
  }
  const proxyUrl = `http://127.0.0.1:${port}`

  let stopping = false
  const stop = async (code: number): Promise<void> => {
    if (stopping) return
    stopping = true
    await app.close()
    await sim.close()
    process.exit(code)
  }
  process.once('SIGINT', () => { void stop(0) })
  process.once('SIGTERM', () => { void stop(0) })

  if (cluster) {
    out('BigPicture auth proxy demo: a Jira Data Center cluster')
    out(`  Jira + BigPicture, ${CLUSTER_NODES} nodes behind a load balancer  ${simUrl}`)
    out(`    (sessions live on one node; the balancer keeps a client on its node with the cookie ${AFFINITY_COOKIE}, as ingress-nginx does)`)
    out(`  the proxy  ${proxyUrl}  ->  the balancer; service identity: Jira user "svc"`)
  } else {
    out('BigPicture auth proxy demo')
    out(`  Jira + BigPicture simulator  ${simUrl}  (users alice/alice-secret and bob/bob-secret)`)
    out(`  the proxy                    ${proxyUrl}  ->  the simulator`)
  }
  out('  proxy log lines go to stderr')
  out()

  let ok = false
  try {
    ok = cluster ? await clusterScript(proxyUrl, sim, tokenSeconds, out) : await cookieClientScript(proxyUrl, sim, tokenSeconds, out)
  } catch (err) {
    out(`✘ the demo client failed: ${(err as Error).message}`)
  }
  out()
  if (!ok) out('Something did not go as described above; the proxy log on stderr tells more.')
  else if (cluster) out('Each identity stayed on the node that holds its Jira session: the proxy keeps every cookie the balancer sets, per session.')
  else out('The client sent only its Jira cookie; the proxy fetched, renewed and replaced the JWTs.')

  if (once) return stop(ok ? 0 : 1)

  out()
  out('Try it yourself (curl keeps the Jira cookie in jar.txt, exactly like an old script):')
  out(`  curl -c jar.txt -H 'Content-Type: application/json' -d '{"username":"alice","password":"alice-secret"}' ${proxyUrl}/rest/auth/1/session`)
  out(`  curl -b jar.txt ${proxyUrl}/rest/${APP}/1.0/box`)
  out(`  curl -b jar.txt -H 'Content-Type: application/json' -d '{"name":"My task"}' ${proxyUrl}/rest/${APP}/1.0/box/1/task`)
  out(`  curl -b jar.txt ${proxyUrl}/rest/api/2/myself`)
  if (cluster) out(`  curl ${proxyUrl}/rest/${APP}/1.0/box`)
  out(`  curl -s ${proxyUrl}/_proxy/metrics | grep token_calls`)
  out()
  out('Running until Ctrl-C.')
}

await main(process.argv.slice(2))

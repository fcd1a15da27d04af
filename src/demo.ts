#!/usr/bin/env node
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import pretty from 'pino-pretty'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { loggerOptions } from './logger.js'
import { buildSimulator, type Simulator } from './simulator/index.js'

/**
 * `npm run demo`: the Jira + BigPicture simulator with the proxy in front of it, and a scripted
 * client that knows only Jira cookies, as every script written before BigPicture 8.3 did. It logs
 * in through the proxy, calls BigPicture, waits past a token's expiry, calls again, has the
 * tokens revoked on the server, and calls again; each step shows what the simulator saw.
 *
 * A process entry like cli.ts. It reads no environment and no `.env`: the demo always looks the
 * same. `--once` exits after the script (0 when every step went as shown, 1 otherwise).
 */

const CONTEXT_PATH = '/jira'
/** Short enough to watch one expire; Jira's real tokens live 15 minutes. */
const DEFAULT_TOKEN_SECONDS = 8
const PREFERRED_PORT = 8080
const APP = 'softwareplant-bigpicture'
const USER = 'alice'
const PASSWORD = 'alice-secret'

const USAGE = 'usage: node dist/src/demo.js [--once] [--token-seconds N]'

const out = (line = ''): void => { process.stdout.write(`${line}\n`) }

/** A cookie jar for one origin: what curl -c/-b or a browser would keep, values never printed. */
class CookieJar {
  readonly #cookies = new Map<string, string>()

  store (response: Response): string[] {
    const names: string[] = []
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? ''
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      this.#cookies.set(name, pair.slice(eq + 1).trim())
      names.push(`${name} (${line.split(';').slice(1).map((a) => a.trim()).filter((a) => /^(path|httponly|secure)/i.test(a)).join('; ')})`)
    }
    return names
  }

  header (): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

interface Step {
  status: number
  body: unknown
}

async function call (url: string, jar: CookieJar, init: { method?: string, json?: unknown } = {}): Promise<Step> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const cookie = jar.header()
  if (cookie !== '') headers.cookie = cookie
  if (init.json !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) })
  jar.store(res)
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, body }
}

function counts (sim: Simulator): string {
  const c = sim.stats.calls
  return `simulator so far: system/auth ${c.auth ?? 0}, system/reauth ${c.reauth ?? 0}, requests BigPicture refused (no or bad token) ${sim.stats.rejectedTokens}`
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The scripted cookie-only client; true when every step answered as expected. */
async function script (proxyUrl: string, sim: Simulator, tokenSeconds: number): Promise<boolean> {
  let ok = true
  const expect = (step: Step, status: number, what: string): void => {
    const good = step.status === status
    if (!good) ok = false
    out(`   ${good ? '✔' : '✘'} ${what}: HTTP ${step.status}${good ? '' : ` (expected ${status})`}`)
  }
  const jar = new CookieJar()
  const boxes = `${proxyUrl}/rest/${APP}/1.0/box`

  out(`1. Log in through the proxy, as any Jira script does: POST /rest/auth/1/session as ${USER}`)
  const loginRes = await fetch(`${proxyUrl}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: USER, password: PASSWORD })
  })
  const kept = jar.store(loginRes)
  await loginRes.body?.cancel()
  expect({ status: loginRes.status, body: undefined }, 200, 'logged in')
  out(`     the client keeps the cookie ${kept.join(', ') || '(none!)'}; its value stays in the jar`)

  out(`2. The same cookie sent straight to Jira, as before BigPicture 8.3: GET ${sim.url}/rest/${APP}/1.0/box`)
  const direct = await call(`${sim.url}/rest/${APP}/1.0/box`, jar)
  expect(direct, 401, 'BigPicture refuses a cookie without its JWT')

  out(`3. The same request through the proxy: GET /rest/${APP}/1.0/box with only the cookie`)
  const first = await call(boxes, jar)
  expect(first, 200, `${Array.isArray(first.body) ? first.body.length : 0} boxes listed`)
  out(`     ${counts(sim)}`)
  out('     the proxy called system/auth with the client\'s session and added the JWT')

  out(`4. Wait ${tokenSeconds + 1} s: BigPicture tokens live ${tokenSeconds} s in this demo (15 min in Jira)`)
  await sleep((tokenSeconds + 1) * 1000)

  out('5. Call BigPicture again after the token expired')
  const second = await call(boxes, jar)
  expect(second, 200, 'boxes listed')
  out(`     ${counts(sim)}`)
  out('     the proxy read the token\'s expiry and renewed it with system/reauth before sending')

  out('6. Revoke every BigPicture token on the server (as a Jira restart or an admin would)')
  sim.control.revokeAllTokens()

  out(`7. Create a task: POST /rest/${APP}/1.0/box/1/task`)
  const created = await call(`${boxes}/1/task`, jar, { method: 'POST', json: { name: 'Created by a cookie-only client' } })
  expect(created, 201, 'task created')
  out(`     ${counts(sim)}`)
  out('     BigPicture answered 401; the proxy tried system/reauth (revoked too), got a new pair with')
  out('     system/auth and replayed the request with the same body: the client saw only the 201')
  out(`     tasks the simulator stored: ${sim.stats.tasks.length}`)
  return ok
}

/** `--once` and `--token-seconds N`; anything else is refused with the usage. */
function parseArgs (argv: string[]): { once: boolean, tokenSeconds: number } {
  const args = { once: false, tokenSeconds: DEFAULT_TOKEN_SECONDS }
  const rest = [...argv]
  while (rest.length > 0) {
    const arg = rest.shift() as string
    if (arg === '--once') {
      args.once = true
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
  const { once, tokenSeconds } = parseArgs(argv)
  const sim = buildSimulator({ contextPath: CONTEXT_PATH, authTokenSeconds: tokenSeconds })
  const simUrl = await sim.listen(0, '127.0.0.1')

  // No `.env` lookup: the demo is configured here, whatever the working directory holds.
  const config = loadConfig({ JIRA_URL: simUrl, PORT: String(PREFERRED_PORT), LOG_LEVEL: 'info' }, { cwd: fileURLToPath(new URL('.', import.meta.url)) })
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

  out('BigPicture auth proxy demo')
  out(`  Jira + BigPicture simulator  ${simUrl}  (users alice/alice-secret and bob/bob-secret)`)
  out(`  the proxy                    ${proxyUrl}  ->  the simulator`)
  out('  proxy log lines go to stderr')
  out()

  let ok = false
  try {
    ok = await script(proxyUrl, sim, tokenSeconds)
  } catch (err) {
    out(`✘ the demo client failed: ${(err as Error).message}`)
  }
  out()
  out(ok
    ? 'The client sent only its Jira cookie; the proxy fetched, renewed and replaced the JWTs.'
    : 'Something did not go as described above; the proxy log on stderr tells more.')

  if (once) return stop(ok ? 0 : 1)

  out()
  out('Try it yourself (curl keeps the Jira cookie in jar.txt, exactly like an old script):')
  out(`  curl -c jar.txt -H 'Content-Type: application/json' -d '{"username":"${USER}","password":"${PASSWORD}"}' ${proxyUrl}/rest/auth/1/session`)
  out(`  curl -b jar.txt ${proxyUrl}/rest/${APP}/1.0/box`)
  out(`  curl -b jar.txt -H 'Content-Type: application/json' -d '{"name":"My task"}' ${proxyUrl}/rest/${APP}/1.0/box/1/task`)
  out(`  curl -b jar.txt ${proxyUrl}/rest/api/2/myself`)
  out(`  curl -s ${proxyUrl}/_proxy/metrics | grep token_calls`)
  out()
  out('Running until Ctrl-C.')
}

await main(process.argv.slice(2))

import { Writable } from 'node:stream'
import pino from 'pino'
import { type AppOptions, type ProxyApp, buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { loggerOptions } from '../../src/logger.js'

export interface StartedProxy extends ProxyApp {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** Every log line the proxy wrote, parsed. */
  logs: Array<Record<string, unknown>>
  /** The raw log text, for secret searches. */
  logText: () => string
}

/**
 * Builds the proxy for `env` (JIRA_URL and friends, as a user would set them), listens on a free
 * loopback port with a log capture, and closes it when the test ends.
 */
export async function startProxy (
  t: { teardown (fn: () => unknown): void },
  env: Record<string, string>,
  options: Partial<AppOptions> = {}
): Promise<StartedProxy> {
  const config = loadConfig({ LOG_LEVEL: 'debug', ...env }, { cwd: '/nonexistent' })
  const lines: string[] = []
  const sink = new Writable({
    write (chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''))
      done()
    }
  })
  const logger = pino(loggerOptions(config.logLevel), sink)
  const built = await buildApp(config, { logger, processMetrics: false, ...options })
  await built.app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => built.app.close())
  const address = built.app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    ...built,
    url: `http://127.0.0.1:${port}`,
    get logs () { return lines.map((l) => JSON.parse(l) as Record<string, unknown>) },
    logText: () => lines.join('\n')
  }
}

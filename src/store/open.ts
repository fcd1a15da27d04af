import type { Logger } from 'pino'
import type { StoreConfig } from '../config.js'
import type { Metrics } from '../ops/metrics.js'
import { FailOpenStore } from './fail-open.js'

/** How long start-up waits for the store before serving from local state (it keeps trying). */
const CONNECT_WAIT_MS = 3000

/**
 * The shared store of `STORE_URL`, failing open. Waits briefly for the first connection so the
 * first requests already share state; a store that is down then does not stop the proxy from
 * starting, and is used as soon as it answers.
 */
export async function openStore (config: StoreConfig, options: { metrics: Metrics, log: Logger, timeoutMs?: number }): Promise<FailOpenStore> {
  // Loaded only with a store: merely loading the Redis client slows every process.nextTick of
  // the process (measured: about a tenth of a proxy's throughput), a cost a proxy without
  // STORE_URL must not pay.
  const { RedisStore } = await import('./redis.js')
  const redis = new RedisStore({ url: config.url, secret: config.secret, prefix: config.prefix })
  const store = new FailOpenStore(redis, { metrics: options.metrics, log: options.log, timeoutMs: options.timeoutMs })
  let timer: NodeJS.Timeout | undefined
  const waited = new Promise<void>((resolve) => { timer = setTimeout(resolve, CONNECT_WAIT_MS) })
  await Promise.race([redis.connect(), waited]).catch(() => {})
  clearTimeout(timer)
  // Says "up" or warns "down" in the log and the metrics, once, from the start.
  await store.ping()
  return store
}

import type { FastifyInstance } from 'fastify'
import type { Dispatcher } from 'undici'
import type { Metrics } from './metrics.js'
import { type Answer, UNKNOWN } from '../store/ports.js'

export interface OpsOptions {
  dispatcher: Dispatcher
  jiraOrigin: string
  contextPath: string
  metrics: Metrics
  /** Live values sampled when metrics are scraped. */
  sample: () => void
  /** The shared store (`STORE_URL`), when there is one: readiness says whether it answers. */
  store?: { ping: () => Promise<Answer<string>> }
}

/** How long a readiness answer is reused, so probes cannot turn into load on Jira. */
const READY_CACHE_MS = 2000
const READY_TIMEOUT_MS = 5000

/**
 * The proxy's own endpoints: `healthz` (the process answers), `readyz` (Jira answers, probed at
 * `{context}/status` as Jira's own load-balancer check), and `metrics` (Prometheus text). A shared
 * store that does not answer leaves the proxy ready (it goes on from local state); the body says so.
 */
export async function opsRoutes (app: FastifyInstance, options: OpsOptions): Promise<void> {
  const { dispatcher, jiraOrigin, contextPath, metrics } = options
  let last: { at: number, ready: boolean, detail: string } | undefined

  async function probe (): Promise<{ ready: boolean, detail: string }> {
    if (last !== undefined && performance.now() - last.at < READY_CACHE_MS) return last
    let result: { ready: boolean, detail: string }
    try {
      const res = await dispatcher.request({
        origin: jiraOrigin,
        path: `${contextPath}/status`,
        method: 'GET',
        headersTimeout: READY_TIMEOUT_MS,
        bodyTimeout: READY_TIMEOUT_MS
      })
      const text = await res.body.text()
      result = readStatus(res.statusCode, text)
    } catch (err) {
      result = { ready: false, detail: `Jira is unreachable (${(err as { code?: string }).code ?? 'error'})` }
    }
    last = { at: performance.now(), ...result }
    return result
  }

  app.get('/_proxy/healthz', async () => ({ status: 'ok' }))

  app.get('/_proxy/readyz', async (_request, reply) => {
    const [{ ready, detail }, store] = await Promise.all([probe(), options.store?.ping()])
    const body = { status: ready ? 'ready' : 'not ready', detail, ...(options.store === undefined ? {} : { store: store === UNKNOWN ? 'down' : 'up' }) }
    return reply.code(ready ? 200 : 503).send(body)
  })

  app.get('/_proxy/metrics', async (_request, reply) => {
    options.sample()
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}

/**
 * Jira's `/status` answers `{"state":"RUNNING"}` when the node serves requests (and e.g.
 * `MAINTENANCE` or `STARTING` otherwise). Anything else at that address (a 404, a login page)
 * means JIRA_URL does not point at Jira's context path.
 */
function readStatus (status: number, text: string): { ready: boolean, detail: string } {
  let state: unknown
  try {
    state = (JSON.parse(text) as { state?: unknown } | null)?.state
  } catch {
    state = undefined
  }
  if (typeof state === 'string') {
    return state === 'RUNNING' ? { ready: true, detail: 'Jira is running' } : { ready: false, detail: `Jira reports state ${state}` }
  }
  return { ready: false, detail: `Jira's /status answered HTTP ${status} without a state; check that JIRA_URL includes Jira's context path` }
}

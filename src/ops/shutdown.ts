import type { Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'

/** After the connections are cut, how long closing may still take before the process goes anyway. */
const AFTER_CUT_MS = 1000

/**
 * Closes the app (no new connections; idle ones close at once) and gives requests in flight up to
 * `timeoutMs` to finish. Then it cuts the connections still open, so the process stops within the
 * platform's limit (Kubernetes kills after 30 s, Docker after 10 s by default) instead of waiting
 * for the slowest upstream request. Resolves the number of connections cut: 0 when all finished.
 */
export async function closeWithin (app: FastifyInstance, timeoutMs: number, onCut: (connections: number) => void): Promise<number> {
  const closing = app.close()
  const timer = new AbortController()
  const finished = await Promise.race([
    closing.then(() => true),
    sleep(timeoutMs, false, { signal: timer.signal }).catch(() => false)
  ])
  timer.abort()
  if (finished) return 0
  const open = await openConnections(app.server)
  onCut(open)
  app.server.closeAllConnections()
  // Upstream requests of the cut answers may still be running: they end with the process.
  await Promise.race([closing, sleep(AFTER_CUT_MS)])
  return open
}

function openConnections (server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((err, count) => resolve(err === null ? count : 0)))
}

import { Pool } from 'undici'
import { download, upload } from './clients.js'
import { type Bench, SESSIONS } from './context.js'
import { assertAlive, rssBytes, sampleRss, sleep } from './proc.js'
import { DOWNLOAD_ROUTE, UPLOAD_ROUTE, cookieFor } from './routes.js'

export interface Transfer {
  target: 'product' | 'bare'
  direction: 'upload' | 'download'
  bytes: number
  /** Bytes that arrived at the other end. */
  received: number
  status: number
  mibPerSecond: number
  rssBefore: number
  rssPeak: number
}

/**
 * A large upload and download through the plain Jira passthrough, RSS sampled throughout. A proxy
 * that buffered the body would grow by about the body's size; a streaming one stays flat.
 */
export async function measureStreaming (bench: Bench, progress: (line: string) => void): Promise<Transfer[]> {
  const bytes = bench.settings.streamBytes
  const out: Transfer[] = []
  const targets = [
    { target: 'product' as const, url: bench.product.url, pid: bench.product.pid },
    { target: 'bare' as const, url: bench.bare.url, pid: bench.bare.ipc.pid }
  ]
  for (const { target, url, pid } of targets) {
    const pool = new Pool(url, { connections: 1 })
    const headers = { cookie: cookieFor(SESSIONS.product) }
    try {
      for (const direction of ['upload', 'download'] as const) {
        await sleep(200)
        const rssBefore = rssBytes(pid)
        const sampler = sampleRss(pid)
        const result = direction === 'upload'
          ? await upload(pool, UPLOAD_ROUTE, headers, bytes)
          : await download(pool, DOWNLOAD_ROUTE + bytes, headers)
        const { peak } = sampler.stop()
        if (target === 'product') assertAlive(bench.product, `the ${direction}`)
        const transfer: Transfer = { target, direction, bytes, received: result.received, status: result.status, mibPerSecond: bytes / 1048576 / (result.ms / 1000), rssBefore, rssPeak: peak }
        out.push(transfer)
        progress(`${direction} ${bytes / 1048576} MiB through ${target}: ${result.status}, ${result.received} bytes arrived, RSS ${mib(rssBefore)} -> peak ${mib(peak)} MiB, ${transfer.mibPerSecond.toFixed(0)} MiB/s`)
      }
    } finally {
      await pool.close()
    }
  }
  return out
}

const mib = (n: number): string => (n / 1048576).toFixed(1)

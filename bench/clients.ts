import { Readable } from 'node:stream'
import { Pool } from 'undici'

/**
 * The traffic autocannon cannot shape: bursts of exactly N simultaneous requests, one request per
 * distinct identity, and large streamed bodies. undici, so the client stays cheap.
 */

export interface BurstResult {
  /** Sorted response times, ms. */
  latencies: number[]
  non200: number
}

/** Sends `count` requests at once over a pool that already holds that many connections. */
export async function burst (pool: Pool, path: string, headers: Record<string, string>, count: number): Promise<BurstResult> {
  let non200 = 0
  const one = async (): Promise<number> => {
    const started = performance.now()
    try {
      const res = await pool.request({ path, method: 'GET', headers })
      await res.body.dump()
      if (res.statusCode !== 200) non200++
    } catch {
      non200++
    }
    return performance.now() - started
  }
  const latencies = await Promise.all(Array.from({ length: count }, one))
  return { latencies: latencies.sort((a, b) => a - b), non200 }
}

/**
 * Runs `count` tasks, `concurrency` at a time, calling `checkpoint` after every `every` finished
 * (the memory phase samples RSS there).
 */
export async function runTasks (count: number, concurrency: number, task: (i: number) => Promise<void>, every = 0, checkpoint?: (done: number) => void): Promise<void> {
  let next = 0
  let done = 0
  const lane = async (): Promise<void> => {
    while (next < count) {
      await task(next++)
      done++
      if (every > 0 && done % every === 0) checkpoint?.(done)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
}

/** One GET, body read and thrown away; the status is returned. */
export async function get (pool: Pool, path: string, headers: Record<string, string>): Promise<number> {
  const res = await pool.request({ path, method: 'GET', headers })
  await res.body.dump()
  return res.statusCode
}

/** Streams `bytes` bytes up without ever holding them; resolves with the count the server saw. */
export async function upload (pool: Pool, path: string, headers: Record<string, string>, bytes: number): Promise<{ status: number, received: number, ms: number }> {
  const chunk = Buffer.alloc(64 * 1024, 0x62)
  let left = bytes
  const body = new Readable({
    read () {
      if (left <= 0) return void this.push(null)
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left)
      left -= piece.length
      this.push(piece)
    }
  })
  const started = performance.now()
  const res = await pool.request({ path, method: 'POST', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(bytes) }, body })
  const answer = await res.body.json() as { bytes?: number }
  return { status: res.statusCode, received: answer.bytes ?? -1, ms: performance.now() - started }
}

/** Reads a streamed download, counting bytes. */
export async function download (pool: Pool, path: string, headers: Record<string, string>): Promise<{ status: number, received: number, ms: number }> {
  const started = performance.now()
  const res = await pool.request({ path, method: 'GET', headers })
  let received = 0
  for await (const piece of res.body) received += (piece as Buffer).length
  return { status: res.statusCode, received, ms: performance.now() - started }
}

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { PassThrough, type Readable } from 'node:stream'
import { ProxyError } from '../errors.js'
import type { ReplayBudget } from './replay-budget.js'

/** Whether a request carries a body at all (HTTP/1.1 framing: a length above 0, or chunked). */
export function hasBody (headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
}

/** A request body as the BigPicture route will send it. */
export type HeldBody =
  /** No body at all. */
  | { kind: 'none' }
  /** Held in memory: can be sent again for the one retry. */
  | { kind: 'buffer', data: Buffer }
  /** Too large to hold: streamed once, never retried. */
  | { kind: 'stream', stream: Readable }

const NONE: HeldBody = { kind: 'none' }

/** Whether a body's declared length is above `cap` (a chunked body's size is known only once read). */
export function exceedsCap (headers: IncomingHttpHeaders, cap: number): boolean {
  return headers['transfer-encoding'] === undefined && Number(headers['content-length']) > cap
}

/** A body sent once as it arrives, never held. */
export function streamBody (req: IncomingMessage): HeldBody {
  return hasBody(req.headers) ? { kind: 'stream', stream: req } : NONE
}

/** Bodies whose request was already answered (it timed out): their reader gives up quietly. */
const abandoned = new WeakSet<IncomingMessage>()

/** The request has had its answer while its body was still coming: whoever reads it stops. */
export function abandonBody (req: IncomingMessage): void {
  abandoned.add(req)
}

/** Where a held body is counted, and when it may be let go (the answer is done). */
export interface ReplayHold {
  budget: ReplayBudget
  /** Emits 'close' once the request has been answered (the ServerResponse). */
  until: { once: (event: 'close', listener: () => void) => unknown }
}

/**
 * Reads a request body into memory if it fits in `cap` bytes and in the process-wide replay budget;
 * otherwise hands back a stream that yields what was read so far and then the rest, so nothing is
 * lost, truncated or read twice.
 */
export function holdBody (req: IncomingMessage, cap: number, hold?: ReplayHold): Promise<HeldBody> | HeldBody {
  if (!hasBody(req.headers)) return NONE
  if (exceedsCap(req.headers, cap)) return { kind: 'stream', stream: req }
  const known = req.headers['transfer-encoding'] === undefined ? Number(req.headers['content-length']) : undefined
  // A body of known length is counted whole before any of it is read; a chunked one as it comes.
  if (known !== undefined && hold !== undefined && !hold.budget.reserve(known)) return { kind: 'stream', stream: req }
  let reserved = known ?? 0
  const release = (): void => {
    hold?.budget.release(reserved)
    reserved = 0
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      chunks.push(chunk)
      if (size <= cap && (hold === undefined || size <= reserved || reserveMore())) return
      cleanup()
      release()
      req.pause()
      const joined = new PassThrough()
      for (const c of chunks) joined.write(c)
      req.pipe(joined)
      req.once('error', (err) => joined.destroy(err))
      // Whoever reads `joined` (undici, sending it to Jira) listens for its errors while it does.
      // Before it starts (the token is still on its way) or after it stopped (Jira answered
      // early), a client that goes away would otherwise leave an 'error' nobody hears, and the
      // stream machinery turns that into an uncaught exception.
      joined.on('error', ignore)
      resolve({ kind: 'stream', stream: joined })
    }
    const reserveMore = (): boolean => {
      if (hold === undefined || !hold.budget.reserve(size - reserved)) return false
      reserved = size
      return true
    }
    const onEnd = (): void => {
      cleanup()
      if (size === 0) {
        release()
        resolve(NONE)
        return
      }
      // Held until the answer is done: a retry may still need it.
      hold?.until.once('close', release)
      resolve({ kind: 'buffer', data: chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, size) })
    }
    const onError = (err: Error): void => {
      cleanup()
      release()
      if (abandoned.has(req)) return
      reject(new ProxyError('BAD_REQUEST', 'The request body could not be read.', { cause: err }))
    }
    const onClose = (): void => {
      if (req.complete) return
      cleanup()
      release()
      if (abandoned.has(req)) return
      reject(new ProxyError('BAD_REQUEST', 'The client closed the connection before sending the whole body.'))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}

/**
 * Drops a stream nobody will read (an upstream answer). undici reports a body destroyed before its
 * end as an error event; with no listener that would be an uncaught exception, so one is attached
 * first.
 */
export function discard (stream: { on: (event: 'error', listener: () => void) => unknown, destroy: () => unknown }): void {
  stream.on('error', ignore)
  stream.destroy()
}

function ignore (): void {}

import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { setImmediate as tick } from 'node:timers/promises'

/** Random filler, made once: bodies are slices of it, so building one costs no entropy. */
const FILLER_BYTES = 3 * 1024 * 1024
const FILLER = randomBytes(FILLER_BYTES)
const FILLER_TEXT = FILLER.toString('base64url')

const CHUNK = 64 * 1024

/**
 * A create-task body: JSON with the unique `soakId` first (so it can be found without parsing a
 * large body), multi-byte characters (a proxy that cut or re-encoded at a chunk boundary would
 * change the bytes), and filler up to about `bytes`.
 */
export function taskBody (soakId: string, identity: string, app: string, bytes: number, offset: number): Buffer {
  const head = `{"soakId":"${soakId}","identity":"${identity}","app":"${app}","note":"zażółć gęślą jaźń ✓ 🚀","pad":"`
  const padLength = Math.max(0, bytes - Buffer.byteLength(head) - 2)
  const start = offset % Math.max(1, FILLER_TEXT.length - padLength)
  return Buffer.from(`${head}${FILLER_TEXT.slice(start, start + padLength)}"}`)
}

/**
 * The soakId at the head of a body as Jira recorded it, as a string of its own: a slice or a regex
 * match of a string can keep the whole parent (a body of megabytes) alive as long as it is kept.
 */
export function soakIdOf (body: string): string | undefined {
  const id = /^\{"soakId":"([^"]+)"/.exec(body.slice(0, 120))?.[1]
  return id === undefined ? undefined : Buffer.from(id, 'utf8').toString('utf8')
}

export function sha256 (data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** The largest upload body: uploads share the filler's memory instead of each holding a copy. */
export const MAX_UPLOAD_BYTES = FILLER_BYTES

/** `bytes` (at most MAX_UPLOAD_BYTES) of upload content: a view of the filler, no copy. */
export function uploadBody (bytes: number): Buffer {
  return FILLER.subarray(0, Math.min(bytes, FILLER_BYTES))
}

/**
 * The body as a stream of 64 KiB chunks, yielding to the event loop between them so the request
 * really is in flight while it is sent. `onHalf` runs once half the bytes went out (the soak aborts
 * there to cut an upload in the middle).
 */
export function streamOf (data: Buffer, onHalf?: () => void): Readable {
  async function * chunks (): AsyncGenerator<Buffer> {
    let halfSignalled = false
    for (let at = 0; at < data.length; at += CHUNK) {
      if (!halfSignalled && onHalf !== undefined && at >= data.length / 2) {
        halfSignalled = true
        onHalf()
        await tick()
      }
      yield data.subarray(at, Math.min(data.length, at + CHUNK))
      await tick()
    }
  }
  return Readable.from(chunks(), { objectMode: false })
}

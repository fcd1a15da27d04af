import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'

/**
 * Every header or field that can hold a password, cookie, JWT, PAT or API key, wherever a log
 * object of the proxy might carry it. No log call passes headers or credentials to begin with;
 * this is the net under that rule, and it holds at every level, errors included. Paths are
 * explicit: wildcards make pino re-walk every line, and the access log runs on every request.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-proxy-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-proxy-key"]',
  'headers["set-cookie"]',
  'err.headers',
  'password',
  'token',
  'authentication',
  'refresh',
  'sessionId',
  'config.service',
  'config.proxyApiKeys'
]

const BASE = { name: 'bigpicture-auth-proxy' }

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    base: BASE,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err }
  }
}

/**
 * Bytes of log lines gathered before one write. A write's cost is mostly fixed (the thread pool's
 * hand-off and the system call, on the proxy's own CPU), so batches are large: 64 KiB is about 230
 * access-log lines. The CLI flushes every 500 ms, so no line waits longer than that.
 */
const LOG_BATCH_BYTES = 64 * 1024

type SonicBoom = ReturnType<typeof pino.destination>

/**
 * Gathers log lines into batches in front of sonic-boom (in its `buffer` content mode), which then
 * writes each batch as it comes. Each line is copied into the batch's buffer as it is written, so
 * it dies young, the batch lives outside the JS heap, and handing a batch on costs nothing more.
 * sonic-boom can batch by itself (`minLength`), but it measures its pending text with
 * `Buffer.byteLength` on every write, flattening the growing concatenation of the batch each time:
 * about 3 µs a line at 12 KiB batches, the largest cost of the access log. Gathering whole strings
 * instead moved that work to the request that filled a batch (a 64 KiB flattening in one go, which
 * showed in the p99 at concurrency 1). Every line of the process goes through here, so lines keep
 * their order.
 */
export class LineBatcher implements DestinationStream {
  readonly #dest: SonicBoom
  readonly #size: number
  #batch: Buffer
  #used = 0

  /** `dest` must be in sonic-boom's `buffer` content mode: it is only ever given Buffers. */
  constructor (dest: SonicBoom, batchBytes = LOG_BATCH_BYTES) {
    this.#dest = dest
    this.#size = batchBytes
    this.#batch = Buffer.allocUnsafeSlow(batchBytes)
  }

  write (line: string): void {
    // A UTF-16 unit takes at most three bytes in UTF-8: room is checked for the worst case.
    if (this.#used + line.length * 3 > this.#size) {
      this.#handOn()
      if (line.length * 3 > this.#size) {
        this.#dest.write(Buffer.from(line) as unknown as string)
        return
      }
    }
    this.#used += this.#batch.write(line, this.#used)
  }

  /** Hands on what is pending at once, then lets sonic-boom write it out (pino's `logger.flush`). */
  flush (cb?: (err?: Error) => void): void {
    this.#handOn()
    this.#dest.flush(cb)
  }

  /** Writes everything pending before returning (for a process about to exit). */
  flushSync (): void {
    this.#handOn()
    this.#dest.flushSync()
  }

  #handOn (): void {
    if (this.#used === 0) return
    // sonic-boom keeps the batch until it is written: the next one gets a buffer of its own.
    const batch = this.#batch.subarray(0, this.#used)
    this.#batch = Buffer.allocUnsafeSlow(this.#size)
    this.#used = 0
    this.#dest.write(batch as unknown as string)
  }
}

/**
 * The process logger. Asynchronous and batched so a log line never blocks the request that wrote
 * it; the process flushes it every 500 ms, so no line waits longer on a quiet proxy, and at
 * shutdown; at exit the CLI writes out what is left (`flushLogSync`).
 */
export function createLogger (level: string, stream?: DestinationStream): Logger {
  return pino(loggerOptions(level), stream ?? new LineBatcher(pino.destination({ dest: 1, sync: false, contentMode: 'buffer' })))
}

/**
 * Writes out every line the logger holds before returning, for a process that is exiting (no
 * event loop left to finish an asynchronous write). Never throws: a log that cannot be written
 * any more (a closed pipe) must not change how the process ends.
 */
export function flushLogSync (logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, { flushSync?: () => void }>)[pino.symbols.streamSym]
  try {
    stream?.flushSync?.()
  } catch {
    // Nothing to do about it on the way out.
  }
}

/** One access-log line: only fields the proxy computes itself, never a header or a credential. */
export interface AccessRecord {
  reqId: string
  method: string
  /** The path without its query string. */
  path: string
  family: string
  status: number
  identity: string | undefined
  upstreamMs: number | undefined
  ms: number
  refreshed: boolean | undefined
  loggedIn: boolean | undefined
  retried: boolean | undefined
  code: string | undefined
}

/**
 * The access log: one pino-format JSON line per request, written straight to the logger's
 * destination. It runs on every request, so it skips what pino would do for a general object
 * (serializers, redaction, a generic stringify): every field is a number, a boolean or a string
 * the proxy made, and only the path is escaped.
 */
export function createAccessWriter (logger: Logger): (record: AccessRecord) => void {
  if (!logger.isLevelEnabled('info')) return () => {}
  const stream = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream
  const head = `{"level":30,"time":`
  const name = `,"name":${JSON.stringify(BASE.name)},"reqId":"`
  return (r) => {
    let line = head + Date.now() + name + r.reqId + '","method":"' + r.method + '","path":' + JSON.stringify(r.path) +
      ',"family":"' + r.family + '","status":' + r.status
    if (r.identity !== undefined) line += ',"identity":"' + r.identity + '"'
    if (r.upstreamMs !== undefined) line += ',"upstreamMs":' + r.upstreamMs
    line += ',"ms":' + r.ms
    if (r.refreshed !== undefined) line += ',"refreshed":' + r.refreshed + ',"loggedIn":' + r.loggedIn + ',"retried":' + r.retried
    if (r.code !== undefined) line += ',"code":"' + r.code + '"'
    stream.write(line + ',"msg":"request"}\n')
  }
}

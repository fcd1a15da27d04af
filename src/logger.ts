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
 * Bytes of log lines gathered before one write: a write's cost is mostly fixed (thread-pool
 * hand-off, system call), so batches are large. The CLI flushes every 500 ms, so no line waits longer.
 */
const LOG_BATCH_BYTES = 48 * 1024
/** sonic-boom writes at most this much at once (its default, 16 KiB, would split every batch). */
const LOG_MAX_WRITE = 64 * 1024

/**
 * The process's log destination: sonic-boom, asynchronous, each line handed over as a Buffer. In
 * its buffer mode sonic-boom joins a batch once when it is due; in text mode it re-measures the
 * whole pending batch on every write. pino's exit hook writes out what is queued at exit.
 */
export class LogDestination implements DestinationStream {
  readonly #dest: SonicBoom

  constructor (dest: SonicBoom) {
    this.#dest = dest
  }

  write (line: string): void {
    // sonic-boom's buffer mode takes Buffers only; its typings know the text mode alone.
    this.#dest.write(Buffer.from(line) as unknown as string)
  }

  /** Writes out what is queued (pino's `logger.flush`). */
  flush (cb?: (err?: Error) => void): void {
    this.#dest.flush(cb)
  }

  /** Writes everything queued before returning, but for a write already under way. */
  flushSync (): void {
    this.#dest.flushSync()
  }
}

type SonicBoom = ReturnType<typeof pino.destination>

/** The asynchronous, batching destination of the process logger (stdout unless told otherwise). */
export function batchedDestination (dest: number | string = 1, batchBytes = LOG_BATCH_BYTES): LogDestination {
  return new LogDestination(pino.destination({ dest, sync: false, contentMode: 'buffer', minLength: batchBytes, maxWrite: Math.max(LOG_MAX_WRITE, batchBytes + 1) }))
}

/**
 * The process logger. Asynchronous and batched so a log line never blocks the request that wrote
 * it; the process flushes it every 500 ms, so no line waits longer on a quiet proxy, and at
 * shutdown; what is still queued when the process exits is written out then.
 */
export function createLogger (level: string, stream?: DestinationStream): Logger {
  return pino(loggerOptions(level), stream ?? batchedDestination())
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

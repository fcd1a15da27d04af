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
 * The process logger. Asynchronous and batched so a log line never blocks the request that wrote
 * it; `flushEveryMs` bounds how long a line may wait in the buffer on a quiet proxy. The caller
 * (the process) flushes it at shutdown.
 */
export function createLogger (level: string, stream?: DestinationStream): Logger {
  return pino(loggerOptions(level), stream ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }))
}

/**
 * The access log: one line per request, built only from fields the proxy computes (method, path
 * without query, status, timings, an identity hash), never from headers. It shares the process
 * logger's destination but skips redaction, which would otherwise cost more than the line itself.
 */
export function createAccessLogger (logger: Logger): Logger {
  const stream = (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream
  return pino({ level: logger.level, base: BASE }, stream)
}

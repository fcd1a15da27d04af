import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino'

/**
 * Every header or field that can hold a password, cookie, JWT, PAT or API key, wherever a log
 * object might carry it. The access log never includes headers to begin with; this is the net
 * under that rule, and it holds at every level, errors included.
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
  'config.proxyApiKeys',
  '*.password',
  '*.token',
  '*.authentication',
  '*.refresh',
  '*.sessionId'
]

export function loggerOptions (level: string): LoggerOptions {
  return {
    level,
    base: { name: 'bigpicture-auth-proxy' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err }
  }
}

/**
 * The process logger. Asynchronous by default so a log line never blocks the request that wrote it;
 * the caller flushes it at shutdown.
 */
export function createLogger (level: string, stream?: DestinationStream): Logger {
  return pino(loggerOptions(level), stream ?? pino.destination({ dest: 1, sync: false }))
}

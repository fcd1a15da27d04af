/**
 * Errors a caller can see. Each has a stable machine code, an HTTP status and a sentence a person
 * understands; the original error, if any, travels as `cause` and is only ever logged.
 */
export type ProxyErrorCode =
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'BIGPICTURE_AUTH_FAILED'
  | 'LOGIN_FAILED'
  | 'LOGIN_BACKOFF'
  | 'JIRA_CAPTCHA_REQUIRED'
  | 'SERVICE_IDENTITY_FORBIDDEN'
  | 'SERVICE_LOGOUT_FORBIDDEN'
  | 'SERVICE_TOKENS_FORBIDDEN'
  | 'HOST_NOT_ALLOWED'
  | 'ORIGIN_NOT_ALLOWED'
  | 'INVALID_PATH'
  | 'BODY_TOO_LARGE'
  | 'BODY_TIMEOUT'
  | 'TOO_MANY_HEADERS'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'INTERNAL_ERROR'

const STATUS: Record<ProxyErrorCode, number> = {
  UPSTREAM_UNREACHABLE: 502,
  UPSTREAM_TIMEOUT: 504,
  BIGPICTURE_AUTH_FAILED: 502,
  LOGIN_FAILED: 401,
  LOGIN_BACKOFF: 503,
  JIRA_CAPTCHA_REQUIRED: 403,
  SERVICE_IDENTITY_FORBIDDEN: 403,
  SERVICE_LOGOUT_FORBIDDEN: 403,
  SERVICE_TOKENS_FORBIDDEN: 403,
  HOST_NOT_ALLOWED: 403,
  ORIGIN_NOT_ALLOWED: 403,
  INVALID_PATH: 400,
  BODY_TOO_LARGE: 413,
  BODY_TIMEOUT: 408,
  TOO_MANY_HEADERS: 431,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  INTERNAL_ERROR: 500
}

export class ProxyError extends Error {
  readonly code: ProxyErrorCode
  readonly statusCode: number
  /** Extra response headers, such as `Retry-After` for a login backoff. */
  readonly headers: Record<string, string> | undefined

  constructor (code: ProxyErrorCode, message: string, options: { cause?: unknown, headers?: Record<string, string> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ProxyError'
    this.code = code
    this.statusCode = STATUS[code]
    this.headers = options.headers
  }

  /** The JSON body the caller receives. */
  toJSON (): { error: string, code: ProxyErrorCode } {
    return { error: this.message, code: this.code }
  }
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_CONNECT_TIMEOUT'
])

/**
 * The one place where a transport failure toward Jira becomes a caller-visible error: timeouts are
 * 504, everything else that kept us from getting an answer (refused, reset, DNS, TLS) is 502.
 */
export function mapTransportError (err: unknown): ProxyError {
  if (err instanceof ProxyError) return err
  if (isTimeout(err)) return new ProxyError('UPSTREAM_TIMEOUT', 'Jira did not answer in time.', { cause: err })
  return new ProxyError('UPSTREAM_UNREACHABLE', 'Jira could not be reached.', { cause: err })
}

/**
 * Whether the error, or one it wraps (reply-from wraps undici's), is a timeout: an undici or
 * reply-from timeout code, or an AbortSignal.timeout() firing (a DOMException named TimeoutError).
 */
function isTimeout (err: unknown): boolean {
  let current: unknown = err
  for (let depth = 0; depth < 3 && current !== null && typeof current === 'object'; depth++) {
    const { code, name } = current as { code?: unknown, name?: unknown }
    if (name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code))) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** The refusal a caller gets on a BigPicture route when it may not use the service identity. */
export function serviceIdentityForbidden (): ProxyError {
  return new ProxyError('SERVICE_IDENTITY_FORBIDDEN', 'This proxy uses its service account only for local callers or callers presenting a valid X-Proxy-Key.')
}

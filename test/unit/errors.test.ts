import t from 'tap'
import { ProxyError, type ProxyErrorCode, mapTransportError, serviceIdentityForbidden } from '../../src/errors.js'

const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code })
const wrapped = (cause: unknown, code?: string): Error => Object.assign(new Error('wrapper', { cause }), code === undefined ? {} : { code })

t.test('mapTransportError: timeouts are 504, everything else 502', async (t) => {
  const cases: Array<[string, unknown, ProxyErrorCode, number]> = [
    ['headers timeout', withCode('UND_ERR_HEADERS_TIMEOUT'), 'UPSTREAM_TIMEOUT', 504],
    ['body timeout', withCode('UND_ERR_BODY_TIMEOUT'), 'UPSTREAM_TIMEOUT', 504],
    ['connect timeout', withCode('UND_ERR_CONNECT_TIMEOUT'), 'UPSTREAM_TIMEOUT', 504],
    ['ETIMEDOUT', withCode('ETIMEDOUT'), 'UPSTREAM_TIMEOUT', 504],
    ['reply-from gateway timeout', withCode('FST_REPLY_FROM_GATEWAY_TIMEOUT'), 'UPSTREAM_TIMEOUT', 504],
    ['timeout in cause', wrapped(withCode('UND_ERR_HEADERS_TIMEOUT')), 'UPSTREAM_TIMEOUT', 504],
    ['timeout under a wrapper with its own code', wrapped(withCode('UND_ERR_BODY_TIMEOUT'), 'FST_REPLY_FROM_INTERNAL_SERVER_ERROR'), 'UPSTREAM_TIMEOUT', 504],
    ['timeout two levels down', wrapped(wrapped(withCode('UND_ERR_HEADERS_TIMEOUT'))), 'UPSTREAM_TIMEOUT', 504],
    ['refused', withCode('ECONNREFUSED'), 'UPSTREAM_UNREACHABLE', 502],
    ['refused in cause', wrapped(withCode('ECONNREFUSED')), 'UPSTREAM_UNREACHABLE', 502],
    ['reset', withCode('ECONNRESET'), 'UPSTREAM_UNREACHABLE', 502],
    ['socket closed', withCode('UND_ERR_SOCKET'), 'UPSTREAM_UNREACHABLE', 502],
    ['DNS', withCode('ENOTFOUND'), 'UPSTREAM_UNREACHABLE', 502],
    ['TLS', withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'UPSTREAM_UNREACHABLE', 502],
    ['aggregate of refusals', Object.assign(new AggregateError([withCode('ECONNREFUSED')], 'connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'UPSTREAM_UNREACHABLE', 502],
    ['no code', new Error('boom'), 'UPSTREAM_UNREACHABLE', 502],
    ['a numeric code', Object.assign(new Error('x'), { code: 23 }), 'UPSTREAM_UNREACHABLE', 502],
    ['a string thrown', 'boom', 'UPSTREAM_UNREACHABLE', 502],
    ['null thrown', null, 'UPSTREAM_UNREACHABLE', 502],
    ['undefined thrown', undefined, 'UPSTREAM_UNREACHABLE', 502],
    ['a cause cycle', (() => { const e = withCode('ECONNRESET') as Error & { cause?: unknown }; e.cause = e; return e })(), 'UPSTREAM_UNREACHABLE', 502]
  ]
  for (const [name, err, code, status] of cases) {
    const mapped = mapTransportError(err)
    t.type(mapped, ProxyError, name)
    t.equal(mapped.code, code, name)
    t.equal(mapped.statusCode, status, name)
    t.equal(mapped.cause, err, `${name}: the original error travels as cause`)
  }
})

t.test('mapTransportError: a ProxyError is kept as it is', async (t) => {
  const original = new ProxyError('BIGPICTURE_AUTH_FAILED', 'auth answered garbage')
  t.equal(mapTransportError(original), original)
})

t.test('the caller never sees the cause', async (t) => {
  const mapped = mapTransportError(withCode('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.7:8443 with secret details'))
  t.same(mapped.toJSON(), { error: 'Jira could not be reached.', code: 'UPSTREAM_UNREACHABLE' })
  t.same(JSON.parse(JSON.stringify(mapped)), { error: 'Jira could not be reached.', code: 'UPSTREAM_UNREACHABLE' })
})

t.test('every code has its status', async (t) => {
  const statuses: Record<ProxyErrorCode, number> = {
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
  for (const [code, status] of Object.entries(statuses) as Array<[ProxyErrorCode, number]>) {
    const err = new ProxyError(code, `a sentence about ${code}`)
    t.equal(err.statusCode, status, code)
    t.same(err.toJSON(), { error: `a sentence about ${code}`, code }, `${code}: toJSON shape`)
    t.same(Object.keys(err.toJSON()), ['error', 'code'])
  }
})

t.test('ProxyError carries headers and cause', async (t) => {
  const cause = new Error('inner')
  const err = new ProxyError('LOGIN_BACKOFF', 'wait', { cause, headers: { 'retry-after': '30' } })
  t.equal(err.name, 'ProxyError')
  t.type(err, Error)
  t.equal(err.cause, cause)
  t.same(err.headers, { 'retry-after': '30' })
  const plain = new ProxyError('NOT_FOUND', 'no')
  t.equal(plain.headers, undefined)
  t.notOk('cause' in plain, 'no cause property when none was given')
})

t.test('serviceIdentityForbidden', async (t) => {
  const err = serviceIdentityForbidden()
  t.equal(err.code, 'SERVICE_IDENTITY_FORBIDDEN')
  t.equal(err.statusCode, 403)
  t.match(err.message, /X-Proxy-Key/)
})

import t from 'tap'
import { ProxyError } from '../../src/errors.js'
import { type BrowserGuardOptions, createBrowserGuard } from '../../src/proxy/guard.js'

const DEFAULTS: BrowserGuardOptions = { allowedHosts: undefined, allowedOrigins: undefined, listenHost: '127.0.0.1' }

/** `'ok'`, or the code of the refusal. */
function outcome (check: (host: string | undefined, origin: string | undefined) => void, host: string | undefined, origin?: string): string {
  try {
    check(host, origin)
    return 'ok'
  } catch (err) {
    if (!(err instanceof ProxyError)) throw err
    return `${err.code} ${err.statusCode}`
  }
}

const HOST_REFUSED = 'HOST_NOT_ALLOWED 403'
const ORIGIN_REFUSED = 'ORIGIN_NOT_ALLOWED 403'

t.test('default hosts: the loopback names with any port, and the listen address', async (t) => {
  const check = createBrowserGuard(DEFAULTS)
  const cases: Array<[string | undefined, string]> = [
    ['localhost', 'ok'], ['localhost:8080', 'ok'], ['LOCALHOST:1', 'ok'],
    ['127.0.0.1', 'ok'], ['127.0.0.1:8080', 'ok'],
    ['[::1]', 'ok'], ['[::1]:8080', 'ok'],
    [undefined, HOST_REFUSED], ['', HOST_REFUSED],
    ['evil.example.com', HOST_REFUSED], ['evil.example.com:8080', HOST_REFUSED],
    ['localhost.evil.example.com', HOST_REFUSED], ['127.0.0.1.nip.io', HOST_REFUSED],
    ['127.0.0.2', HOST_REFUSED], ['[::2]:8080', HOST_REFUSED], ['0.0.0.0:8080', HOST_REFUSED]
  ]
  for (const [host, expected] of cases) t.equal(outcome(check, host), expected, String(host))
  t.equal(outcome(check, 'evil.example.com'), HOST_REFUSED, 'a refusal is remembered as a refusal')
})

t.test('the listen address is added unless it is a wildcard', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['192.168.1.5', '192.168.1.5:8080', 'ok'],
    ['proxy.example.com', 'Proxy.Example.com:8080', 'ok'],
    ['PROXY.example.com', 'proxy.example.com', 'ok'],
    ['2001:db8::5', '[2001:db8::5]:8080', 'ok'],
    ['[2001:db8::5]', '[2001:db8::5]:8080', 'ok'],
    ['0.0.0.0', '0.0.0.0:8080', HOST_REFUSED],
    ['0.0.0.0', '192.168.1.5:8080', HOST_REFUSED],
    ['::', '[::]:8080', HOST_REFUSED],
    ['[::]', '[::]:8080', HOST_REFUSED]
  ]
  for (const [listenHost, host, expected] of cases) {
    const check = createBrowserGuard({ ...DEFAULTS, listenHost })
    t.equal(outcome(check, host), expected, `listening on ${listenHost}, Host ${host}`)
    t.equal(outcome(check, 'localhost:8080'), 'ok', `listening on ${listenHost}: loopback names still allowed`)
  }
})

t.test('explicit ALLOWED_HOSTS replace the defaults', async (t) => {
  const check = createBrowserGuard({ ...DEFAULTS, allowedHosts: ['proxy.example.com', 'gw.example.com:8443'], listenHost: '10.0.0.5' })
  const cases: Array<[string, string]> = [
    ['proxy.example.com', 'ok'], ['proxy.example.com:8080', 'ok'], ['PROXY.EXAMPLE.COM', 'ok'],
    ['gw.example.com:8443', 'ok'], ['gw.example.com:9999', HOST_REFUSED], ['gw.example.com', HOST_REFUSED],
    ['localhost:8080', HOST_REFUSED], ['10.0.0.5:8080', HOST_REFUSED], ['other.example.com', HOST_REFUSED]
  ]
  for (const [host, expected] of cases) t.equal(outcome(check, host), expected, host)
})

t.test('ALLOWED_HOSTS=* accepts any Host but not any Origin', async (t) => {
  const check = createBrowserGuard({ ...DEFAULTS, allowedHosts: ['*'], listenHost: '0.0.0.0' })
  t.equal(outcome(check, 'anything.example.com:1234'), 'ok')
  t.equal(outcome(check, '10.1.2.3'), 'ok')
  t.equal(outcome(check, 'gw.example.com:8080', 'http://gw.example.com:8080'), 'ok', 'the proxy\'s own origin')
  t.equal(outcome(check, 'gw.example.com:8080', 'http://GW.example.com:8080'), 'ok', 'host case does not matter')
  t.equal(outcome(check, 'gw.example.com:8080', 'https://evil.example.com'), ORIGIN_REFUSED, 'a foreign page')
  t.equal(outcome(check, 'gw.example.com:8080', 'http://gw.example.com:9090'), ORIGIN_REFUSED, 'another port is another origin')
  const withNames = createBrowserGuard({ ...DEFAULTS, allowedHosts: ['*', 'app.example.com'] })
  t.equal(outcome(withNames, 'gw.example.com', 'https://app.example.com'), 'ok', 'named hosts next to * still count for origins')
})

t.test('Origin, by default: its host must be an allowed host', async (t) => {
  const check = createBrowserGuard(DEFAULTS)
  const cases: Array<[string, string]> = [
    ['http://localhost:8080', 'ok'],
    ['http://127.0.0.1:8080', 'ok'],
    ['http://[::1]:3000', 'ok'],
    ['https://localhost', 'ok'],
    ['https://evil.example.com', ORIGIN_REFUSED],
    ['http://localhost.evil.example.com', ORIGIN_REFUSED],
    ['null', ORIGIN_REFUSED],
    ['', ORIGIN_REFUSED],
    ['file://', ORIGIN_REFUSED],
    ['not a url', ORIGIN_REFUSED]
  ]
  for (const [origin, expected] of cases) t.equal(outcome(check, 'localhost:8080', origin), expected, JSON.stringify(origin))
  t.equal(outcome(check, 'evil.example.com', 'http://localhost:8080'), HOST_REFUSED, 'the Host is checked first')
})

t.test('explicit ALLOWED_ORIGINS', async (t) => {
  const check = createBrowserGuard({ ...DEFAULTS, allowedOrigins: ['https://app.example.com', 'HTTP://Tools.example.com:8000/'] })
  const cases: Array<[string, string]> = [
    ['https://app.example.com', 'ok'],
    ['https://APP.example.com', 'ok'],
    ['http://tools.example.com:8000', 'ok'],
    ['http://app.example.com', ORIGIN_REFUSED],
    ['https://app.example.com:8443', ORIGIN_REFUSED],
    ['http://localhost:8080', ORIGIN_REFUSED],
    ['null', ORIGIN_REFUSED]
  ]
  for (const [origin, expected] of cases) t.equal(outcome(check, '127.0.0.1:8080', origin), expected, origin)
  t.equal(outcome(check, '127.0.0.1:8080'), 'ok', 'no Origin: not a browser page')

  const any = createBrowserGuard({ ...DEFAULTS, allowedOrigins: ['*'] })
  t.equal(outcome(any, 'localhost', 'https://anything.example.com'), 'ok')
  t.equal(outcome(any, 'localhost', 'null'), ORIGIN_REFUSED, '* does not include the opaque origin')
  const withNull = createBrowserGuard({ ...DEFAULTS, allowedOrigins: ['null'] })
  t.equal(outcome(withNull, 'localhost', 'null'), 'ok', 'null only when listed by name')
})

t.test('refusals say what to change', async (t) => {
  const check = createBrowserGuard(DEFAULTS)
  t.throws(() => check('evil.example.com', undefined), { code: 'HOST_NOT_ALLOWED', message: /ALLOWED_HOSTS/ })
  t.throws(() => check('localhost', 'https://evil.example.com'), { code: 'ORIGIN_NOT_ALLOWED', message: /ALLOWED_ORIGINS/ })
})

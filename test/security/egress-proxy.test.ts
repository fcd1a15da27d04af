import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { BP, call, loginCookie } from '../helpers/clients.js'
import { startConnectProxy } from '../helpers/connect-proxy.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// The corporate egress proxy toward Jira (HTTPS_PROXY, NO_PROXY): HTTPS goes through a
// CONNECT tunnel, plain HTTP through whatever form the HTTP client uses, NO_PROXY bypasses it, and
// a proxy that is down or refuses is a clear 502.

const CERT_FILE = fileURLToPath(new URL('../simulator/fixtures/localhost-cert.pem', import.meta.url))
const TLS = {
  key: readFileSync(fileURLToPath(new URL('../simulator/fixtures/localhost-key.pem', import.meta.url))),
  cert: readFileSync(CERT_FILE)
}

const login = (base: string): Promise<{ status: number, body: unknown }> => call(`${base}/rest/auth/1/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
})

t.test('HTTPS_PROXY: HTTPS Jira is reached through a CONNECT tunnel, TLS still verified with JIRA_CA_FILE', async (t) => {
  for (const variable of ['HTTPS_PROXY', 'https_proxy']) {
    const sim = await startSimulator(t, { contextPath: '/jira', tls: TLS })
    const egress = await startConnectProxy(t)
    const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_CA_FILE: CERT_FILE, [variable]: egress.url })
    const target = `127.0.0.1:${sim.port}`

    t.equal((await call(`${proxy.url}/_proxy/readyz`)).status, 200, `${variable}: readyz through the tunnel`)
    const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
    const boxes = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
    t.equal(boxes.status, 200, `${variable}: BigPicture through the tunnel`)
    t.ok(Array.isArray(boxes.body) && boxes.body.length > 0)
    t.equal(sim.stats.calls.auth, 1)

    t.ok(egress.countFor(target) > 0, `${variable}: tunnels to ${target} (${egress.tunnels.length})`)
    t.same(egress.tunnels.filter((x) => x !== target), [], `${variable}: no tunnel to anywhere else`)
    t.same(egress.forwarded, [], `${variable}: HTTPS never sent in the clear to the egress proxy`)
  }
})

t.test('HTTPS_PROXY: the certificate is still checked inside the tunnel', async (t) => {
  const sim = await startSimulator(t, { tls: TLS })
  const egress = await startConnectProxy(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, HTTPS_PROXY: egress.url })
  const res = await login(proxy.url)
  t.equal(res.status, 502)
  t.same(res.body, { error: 'Jira could not be reached.', code: 'UPSTREAM_UNREACHABLE' })
  t.ok(egress.countFor(`127.0.0.1:${sim.port}`) > 0, 'the tunnel was opened')
  t.equal(sim.stats.requests, 0, 'no request got past the handshake')
  t.equal((await call(`${proxy.url}/_proxy/readyz`)).status, 503)

  const insecure = await startProxy(t, { JIRA_URL: sim.url, HTTPS_PROXY: egress.url, JIRA_TLS_INSECURE: 'true' })
  const cookie = await loginCookie(insecure.url, 'alice', 'alice-secret')
  t.equal((await call(`${insecure.url}${BP}/box`, { headers: { cookie } })).status, 200, 'JIRA_TLS_INSECURE applies inside the tunnel too')
})

t.test('NO_PROXY matching Jira bypasses the egress proxy; an entry that does not match does not', async (t) => {
  const sim = await startSimulator(t, { tls: TLS })
  const target = `127.0.0.1:${sim.port}`
  const bypass = ['127.0.0.1', 'localhost,127.0.0.1', ' localhost , 127.0.0.1 ', `127.0.0.1:${sim.port}`, '*', 'example.com,127.0.0.1']
  const through = ['localhost', `127.0.0.1:${sim.port === 1 ? 2 : sim.port - 1}`, 'example.com']
  for (const noProxy of [...bypass, ...through]) {
    const expectBypass = bypass.includes(noProxy)
    for (const variable of ['NO_PROXY', 'no_proxy']) {
      const name = `${variable}=${JSON.stringify(noProxy)}`
      const egress = await startConnectProxy(t)
      const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_CA_FILE: CERT_FILE, HTTPS_PROXY: egress.url, [variable]: noProxy })
      const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
      t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200, `${name}: works`)
      if (expectBypass) t.equal(egress.total(), 0, `${name}: egress proxy bypassed`)
      else t.ok(egress.countFor(target) > 0, `${name}: egress proxy used`)
      await egress.close()
      await proxy.app.close()
    }
  }
})

t.test('HTTP_PROXY: plain-HTTP Jira goes through the egress proxy', async (t) => {
  for (const variable of ['HTTP_PROXY', 'http_proxy']) {
    const sim = await startSimulator(t, { contextPath: '/jira' })
    const egress = await startConnectProxy(t)
    const proxy = await startProxy(t, { JIRA_URL: sim.url, [variable]: egress.url })
    const target = `127.0.0.1:${sim.port}`

    t.equal((await call(`${proxy.url}/_proxy/readyz`)).status, 200, `${variable}: readyz`)
    const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
    const boxes = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
    t.equal(boxes.status, 200, `${variable}: BigPicture through the egress proxy`)
    t.ok(egress.countFor(target) > 0, `${variable}: ${egress.tunnels.length} tunnel(s), ${egress.forwarded.length} forwarded request(s) to ${target}`)
    t.equal(egress.total(), egress.countFor(target), `${variable}: nothing to anywhere else`)
  }
})

t.test('HTTP_PROXY with NO_PROXY matching Jira: plain HTTP goes direct', async (t) => {
  const sim = await startSimulator(t)
  const egress = await startConnectProxy(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, HTTP_PROXY: egress.url, NO_PROXY: 'localhost,127.0.0.1' })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(egress.total(), 0)
})

t.test('HTTPS_PROXY alone leaves plain-HTTP Jira direct', async (t) => {
  const sim = await startSimulator(t)
  const egress = await startConnectProxy(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, HTTPS_PROXY: egress.url })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(egress.total(), 0, 'HTTPS_PROXY is for https:// targets only')
})

t.test('credentials in the egress proxy URL are sent to the egress proxy and never logged', async (t) => {
  const sim = await startSimulator(t, { tls: TLS })
  const egress = await startConnectProxy(t)
  const proxyUrl = egress.url.replace('http://', 'http://egress-user:egress-pass-0123@')
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_CA_FILE: CERT_FILE, HTTPS_PROXY: proxyUrl })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  const expected = `Basic ${Buffer.from('egress-user:egress-pass-0123').toString('base64')}`
  t.ok(egress.proxyAuthorization.length > 0)
  t.same(new Set(egress.proxyAuthorization), new Set([expected]), 'every tunnel carried Proxy-Authorization')
  const log = proxy.logText()
  t.notOk(log.includes('egress-pass-0123'), 'password absent from the log')
  t.notOk(log.includes(expected.slice(6)), 'encoded credentials absent from the log')
})

t.test('an egress proxy that is down or refuses: 502 UPSTREAM_UNREACHABLE, readyz not ready', async (t) => {
  const sim = await startSimulator(t, { tls: TLS })
  const gone = await startConnectProxy(t)
  await gone.close()
  const refusing = await startConnectProxy(t, { refuseWith: 403 })
  for (const [name, egress] of [['down', gone], ['refusing CONNECT', refusing]] as const) {
    const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_CA_FILE: CERT_FILE, HTTPS_PROXY: egress.url })
    const attempts: Array<[string, RequestInit]> = [
      ['/rest/auth/1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-secret' }) }],
      [`${BP}/box`, { headers: { cookie: 'JSESSIONID=0123456789ABCDEF' } }],
      ['/rest/api/2/myself', { headers: { cookie: 'JSESSIONID=0123456789ABCDEF' } }]
    ]
    for (const [path, init] of attempts) {
      const res = await call(`${proxy.url}${path}`, init)
      t.equal(res.status, 502, `${name}: ${path}`)
      t.same(res.body, { error: 'Jira could not be reached.', code: 'UPSTREAM_UNREACHABLE' }, `${name}: ${path}`)
    }
    t.equal((await call(`${proxy.url}/_proxy/readyz`)).status, 503, `${name}: readyz`)
    t.equal((await call(`${proxy.url}/_proxy/healthz`)).status, 200, `${name}: healthz`)
  }
  t.ok(refusing.total() > 0, 'the refusing proxy was asked')
  t.equal(sim.stats.requests, 0, 'Jira saw nothing')

  // Without the egress proxy the same Jira answers: the 502s were about the egress path.
  const direct = await startProxy(t, { JIRA_URL: sim.url, JIRA_CA_FILE: CERT_FILE })
  t.equal((await login(direct.url)).status, 200)
})

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Agent, request } from 'undici'
import { BP, basic, call, loginCookie } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// Upstream trust (JIRA_CA_FILE, JIRA_TLS_INSECURE): the simulator serves HTTPS with test
// certificates, and the proxy must trust exactly what the operator told it to trust.

const FIXTURES = fileURLToPath(new URL('../simulator/fixtures/', import.meta.url))
const SELF_SIGNED = {
  key: readFileSync(join(FIXTURES, 'localhost-key.pem')),
  cert: readFileSync(join(FIXTURES, 'localhost-cert.pem')),
  certFile: join(FIXTURES, 'localhost-cert.pem')
}

// A private CA, a leaf for 127.0.0.1/localhost signed by it, a leaf for another name signed by
// it, and an unrelated CA: generated per run, never committed.
const dir = mkdtempSync(join(tmpdir(), 'bp-proxy-tls-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
function makeCa (name: string, cn: string): void {
  openssl('req', '-x509', ...EC, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
}
function makeLeaf (name: string, ca: string, san: string): { key: Buffer, cert: Buffer } {
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`)
  openssl('req', '-new', ...EC, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-set_serial', String(Date.now()),
    '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`)
  return { key: readFileSync(join(dir, `${name}-key.pem`)), cert: readFileSync(join(dir, `${name}.pem`)) }
}
makeCa('ca', 'Test Jira Root CA')
makeCa('other-ca', 'Some Other Root CA')
const CA_FILE = join(dir, 'ca.pem')
const OTHER_CA_FILE = join(dir, 'other-ca.pem')
const SIGNED = makeLeaf('jira-leaf', 'ca', 'DNS:localhost,IP:127.0.0.1')
const WRONG_NAME = makeLeaf('wrong-name-leaf', 'ca', 'DNS:jira.example.com')

const SERVERS = {
  'self-signed certificate': { tls: { key: SELF_SIGNED.key, cert: SELF_SIGNED.cert }, trust: SELF_SIGNED.certFile },
  'certificate signed by a private CA': { tls: SIGNED, trust: CA_FILE }
}

const ready = async (base: string): Promise<{ status: number, body: { status?: string, detail?: string } }> => {
  const res = await call(`${base}/_proxy/readyz`)
  return { status: res.status, body: res.body as { status?: string, detail?: string } }
}

/** Logs in to the simulator directly (trusting `caFile`), for a real session the proxy never saw created. */
async function directLogin (simUrl: string, caFile: string): Promise<string> {
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } })
  try {
    const res = await request(`${simUrl}/rest/auth/1/session`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
    })
    await res.body.dump()
    if (res.statusCode !== 200) throw new Error(`direct login answered ${res.statusCode}`)
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])
    const line = setCookie.find((c) => c.startsWith('JSESSIONID='))
    if (line === undefined) throw new Error('no JSESSIONID from the simulator')
    return line.split(';')[0] as string
  } finally {
    await dispatcher.close()
  }
}

for (const [label, server] of Object.entries(SERVERS)) {
  t.test(`JIRA_CA_FILE trusting the ${label}: a cookie client works and readyz is ready`, async (t) => {
    const sim = await startSimulator(t, { contextPath: '/jira', secureCookies: true, tls: server.tls })
    t.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+\/jira$/)
    const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_CA_FILE: server.trust })

    const readiness = await ready(proxy.url)
    t.equal(readiness.status, 200, 'readyz: Jira reachable over verified TLS')
    t.equal(readiness.body.status, 'ready')

    const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
    t.match(cookie, /^JSESSIONID=[0-9A-F]+$/)
    const boxes = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
    t.equal(boxes.status, 200)
    t.ok(Array.isArray(boxes.body) && boxes.body.length > 0, 'BigPicture data came back')
    t.equal(sim.stats.calls.auth, 1, 'the JWT was fetched over the verified connection')
    t.equal(sim.stats.callsByUser.alice?.bigpicture, 1, 'the BigPicture call reached Jira as alice')
  })
}

t.test('without JIRA_CA_FILE an untrusted certificate is refused: 502 UPSTREAM_UNREACHABLE, a log line naming the certificate, no secret logged', async (t) => {
  for (const [label, server] of Object.entries(SERVERS)) {
    for (const extra of [{}, { JIRA_TLS_INSECURE: 'false' }] as Array<Record<string, string>>) {
      const name = `${label}${'JIRA_TLS_INSECURE' in extra ? ', JIRA_TLS_INSECURE=false' : ''}`
      const sim = await startSimulator(t, { tls: server.tls, pats: { 'pat-of-alice-0123456789': 'alice' } })
      const cookie = await directLogin(sim.url, server.trust)
      const sessionValue = cookie.slice('JSESSIONID='.length)
      const before = sim.stats.requests
      const proxy = await startProxy(t, {
        JIRA_URL: sim.url,
        JIRA_USERNAME: 'alice',
        JIRA_PASSWORD: 'alice-secret',
        PROXY_API_KEYS: 'proxy-key-0123456789abcdef',
        ...extra
      })

      const readiness = await ready(proxy.url)
      t.equal(readiness.status, 503, `${name}: readyz not ready`)
      t.match(readiness.body.detail ?? '', /CERT|SELF_SIGNED|VERIFY/i, `${name}: readyz says why`)

      const attempts: Array<[string, RequestInit]> = [
        ['/rest/auth/1/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'alice-secret' }) }],
        [`${BP}/box`, { headers: { cookie } }],
        ['/rest/api/2/myself', { headers: { cookie } }],
        [`${BP}/box`, { headers: { authorization: basic('alice', 'alice-secret') } }],
        [`${BP}/box`, { headers: { authorization: 'Bearer pat-of-alice-0123456789' } }],
        [`${BP}/box`, { headers: { 'x-proxy-key': 'proxy-key-0123456789abcdef' } }],
        [`${BP}/box`, {}]
      ]
      for (const [path, init] of attempts) {
        const res = await call(`${proxy.url}${path}`, init)
        t.equal(res.status, 502, `${name}: ${init.method ?? 'GET'} ${path}`)
        t.same(res.body, { error: 'Jira could not be reached.', code: 'UPSTREAM_UNREACHABLE' }, `${name}: JSON error for ${path}`)
      }
      t.equal(sim.stats.requests, before, `${name}: no request got past the TLS handshake`)

      const log = proxy.logText()
      t.match(log, /certificate|CERT_|SELF_SIGNED/i, `${name}: the log says the certificate is the problem`)
      for (const secret of ['alice-secret', sessionValue, basic('alice', 'alice-secret').slice(6), 'pat-of-alice-0123456789', 'proxy-key-0123456789abcdef']) {
        t.notOk(log.includes(secret), `${name}: log free of ${secret.slice(0, 6)}…`)
      }
    }
  }
})

t.test('JIRA_TLS_INSECURE=true works without a CA file', async (t) => {
  for (const [label, server] of Object.entries(SERVERS)) {
    for (const spelling of ['true', '1', 'yes']) {
      const sim = await startSimulator(t, { tls: server.tls })
      const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_TLS_INSECURE: spelling })
      t.equal((await ready(proxy.url)).status, 200, `${label}, ${spelling}: readyz`)
      const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
      const boxes = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
      t.equal(boxes.status, 200, `${label}, ${spelling}: BigPicture answers`)
      t.equal(sim.stats.calls.auth, 1, `${label}, ${spelling}: one system/auth`)
    }
  }
})

t.test('a CA file for a different CA does not make the certificate trusted', async (t) => {
  const cases = [
    { name: 'private-CA leaf, other CA trusted', tls: SIGNED, trust: OTHER_CA_FILE },
    { name: 'self-signed server, private CA trusted', tls: { key: SELF_SIGNED.key, cert: SELF_SIGNED.cert }, trust: CA_FILE },
    { name: 'private-CA leaf, the self-signed fixture trusted', tls: SIGNED, trust: SELF_SIGNED.certFile }
  ]
  for (const c of cases) {
    const sim = await startSimulator(t, { tls: c.tls })
    const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_CA_FILE: c.trust })
    t.equal((await ready(proxy.url)).status, 503, `${c.name}: readyz not ready`)
    const login = await call(`${proxy.url}/rest/auth/1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
    })
    t.equal(login.status, 502, `${c.name}: login refused`)
    t.equal((login.body as { code?: string }).code, 'UPSTREAM_UNREACHABLE')
    const bp = await call(`${proxy.url}${BP}/box`, { headers: { cookie: 'JSESSIONID=0123456789ABCDEF' } })
    t.equal(bp.status, 502, `${c.name}: BigPicture refused`)
    t.equal((bp.body as { code?: string }).code, 'UPSTREAM_UNREACHABLE')
    t.equal(sim.stats.requests, 0, `${c.name}: nothing reached Jira`)
  }
})

t.test('a trusted CA does not waive the host name check', async (t) => {
  const sim = await startSimulator(t, { tls: WRONG_NAME })
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_CA_FILE: CA_FILE })
  const readiness = await ready(proxy.url)
  t.equal(readiness.status, 503)
  t.match(readiness.body.detail ?? '', /ALTNAME/i, 'readyz names the host name mismatch')
  const bp = await call(`${proxy.url}${BP}/box`, { headers: { cookie: 'JSESSIONID=0123456789ABCDEF' } })
  t.equal(bp.status, 502)
  t.equal((bp.body as { code?: string }).code, 'UPSTREAM_UNREACHABLE')
  t.equal(sim.stats.requests, 0)

  // The same certificate is accepted once the operator says so explicitly.
  const insecure = await startProxy(t, { JIRA_URL: sim.url, JIRA_TLS_INSECURE: 'true' })
  const cookie = await loginCookie(insecure.url, 'alice', 'alice-secret')
  t.equal((await call(`${insecure.url}${BP}/box`, { headers: { cookie } })).status, 200)
})

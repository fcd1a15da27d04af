import { execFile, execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'node:https'
import { type TLSSocket, connect } from 'node:tls'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { checkListenerTls } from '../../src/ops/tls.js'
import { BP, sleep } from '../helpers/clients.js'
import { type Started, built, runCli, startCli } from '../helpers/cli.js'
import { startSimulator } from '../helpers/simulator.js'

// HTTPS on the proxy's own listener (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CLIENT_CA_FILE), driven with
// curl the way a caller on the network would, with certificates made by openssl for this run.

const skip = !built && 'dist/ not built'
const dir = mkdtempSync(join(tmpdir(), 'bp-proxy-listener-tls-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const file = (name: string): string => join(dir, name)
const openssl = (...args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
function makeCa (name: string): void {
  openssl('req', '-x509', ...EC, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2',
    '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign')
}
function makeLeaf (name: string, ca: string, ext: string): void {
  writeFileSync(file(`${name}.ext`), `${ext}\nbasicConstraints=CA:FALSE\n`)
  openssl('req', '-new', ...EC, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`)
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-set_serial', String(Date.now()),
    '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`)
}
const SERVER_EXT = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'
makeCa('ca')
makeLeaf('first-server', 'ca', SERVER_EXT)
makeLeaf('rotated-server', 'ca', SERVER_EXT)
makeCa('client-ca')
makeLeaf('caller', 'client-ca', 'extendedKeyUsage=clientAuth')

/** The listener's files as an operator keeps them: fixed names whose content is replaced. */
function installServerPair (name: string): { TLS_CERT_FILE: string, TLS_KEY_FILE: string } {
  copyFileSync(file(`${name}.pem`), file('listener.pem'))
  copyFileSync(file(`${name}-key.pem`), file('listener-key.pem'))
  return { TLS_CERT_FILE: file('listener.pem'), TLS_KEY_FILE: file('listener-key.pem') }
}

interface Curl { code: number, out: string, err: string }
async function curl (...args: string[]): Promise<Curl> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '20', '--cacert', file('ca.pem'), ...args], (err, out, errOut) => {
      resolve({ code: err === null ? 0 : Number((err as { code?: number }).code ?? -1), out, err: errOut })
    })
  })
}

/** The common name of the certificate a new TLS connection to `url` is shown. */
async function servedName (url: string): Promise<string> {
  const { port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port), ca: readFileSync(file('ca.pem')), servername: 'localhost' }, () => {
      const cn = String(socket.getPeerCertificate().subject.CN)
      socket.end()
      resolve(cn)
    })
    socket.on('error', reject)
  })
}

/** A GET on `agent`: the status, whether the connection was reused, and the certificate it shows. */
async function get (agent: Agent, url: string): Promise<{ status: number, reused: boolean, certificate: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, servername: 'localhost' }, (res) => {
      const certificate = String((res.socket as TLSSocket).getPeerCertificate().subject.CN)
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, certificate }))
    })
    req.on('error', reject)
    req.end()
  })
}

async function reloaded (proxy: Started, count: number): Promise<string> {
  proxy.child.kill('SIGHUP')
  for (let i = 0; i < 300; i++) {
    const lines = proxy.stdout().split('\n').filter((l) => l.includes('"msg":"SIGHUP: '))
    if (lines.filter((l) => l.includes('holds cleared')).length >= count) return lines.join('\n')
    await sleep(50)
  }
  throw new Error(`no reload line; stdout: ${proxy.stdout()}`)
}

t.test('serves HTTPS: a curl caller logs in and gets its cookie with Secure kept, then calls BigPicture', { skip }, async (t) => {
  const sim = await startSimulator(t, { secureCookies: true })
  const proxy = await startCli(t, { JIRA_URL: sim.url, ...installServerPair('first-server') })
  t.match(proxy.url, /^https:\/\/127\.0\.0\.1:\d+$/, 'the listening line says https')
  const login = await curl('-i', '-H', 'content-type: application/json', '-d', '{"username":"alice","password":"alice-secret"}', `${proxy.url}/rest/auth/1/session`)
  t.equal(login.code, 0, login.err)
  const setCookie = /^set-cookie: (JSESSIONID=[^;\r\n]+)([^\r\n]*)/im.exec(login.out)
  t.ok(setCookie, 'the session cookie came through')
  t.match(setCookie?.[2], /; Secure/i, 'Secure kept: the caller speaks HTTPS to the proxy')
  const box = await curl('-H', `cookie: ${setCookie?.[1] ?? ''}`, `${proxy.url}${BP}/box`)
  t.equal(box.code, 0, box.err)
  t.match(JSON.parse(box.out), [{ name: 'Program A' }], 'BigPicture answered through the proxy\'s token')
  const plain = await curl(`${proxy.url.replace('https:', 'http:')}/_proxy/healthz`)
  t.not(plain.code, 0, 'plain HTTP gets no answer on the HTTPS port')
  proxy.child.kill('SIGTERM')
  t.equal(await proxy.exited, 0)
})

t.test('SIGHUP swaps the certificate for new connections; open ones keep going; a mismatched pair is refused', { skip }, async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startCli(t, { JIRA_URL: sim.url, ...installServerPair('first-server') })
  t.equal(await servedName(proxy.url), 'first-server')
  // A keep-alive connection made before the reload, and a slow request in flight across it.
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: readFileSync(file('ca.pem')) })
  t.teardown(() => agent.destroy())
  const before = await get(agent, `${proxy.url}/_proxy/healthz`)
  t.equal(before.certificate, 'first-server')
  const login = await curl('-i', '-H', 'content-type: application/json', '-d', '{"username":"alice","password":"alice-secret"}', `${proxy.url}/rest/auth/1/session`)
  const cookie = /^set-cookie: (JSESSIONID=[^;\r\n]+)/im.exec(login.out)?.[1] ?? ''
  const slow = curl('-H', `cookie: ${cookie}`, `${proxy.url}${BP}/slow?ms=1500`)

  installServerPair('rotated-server')
  t.match(await reloaded(proxy, 1), /reloaded TLS_CERT_FILE, TLS_KEY_FILE/)
  t.equal(await servedName(proxy.url), 'rotated-server', 'a new connection gets the new certificate')
  const reused = await get(agent, `${proxy.url}/_proxy/healthz`)
  t.same(reused, { status: 200, reused: true, certificate: 'first-server' }, 'the open connection goes on, with the certificate it was made with')
  const inFlight = await slow
  t.equal(inFlight.code, 0, inFlight.err)
  t.same(JSON.parse(inFlight.out), { slept: 1500 }, 'the request in flight across the reload was answered')

  // A key that does not belong to the certificate: the pair in use stays.
  copyFileSync(file('first-server-key.pem'), file('listener-key.pem'))
  await reloaded(proxy, 2)
  t.match(proxy.stdout(), /"problem":"TLS_KEY_FILE: [^"]+listener-key\.pem is not the private key of the certificate in [^"]+listener\.pem"/)
  t.equal(await servedName(proxy.url), 'rotated-server', 'still the last good certificate')
  const after = await curl(`${proxy.url}/_proxy/healthz`)
  t.equal(after.out, '{"status":"ok"}')
  t.equal(proxy.child.exitCode, null)
  proxy.child.kill('SIGTERM')
  t.equal(await proxy.exited, 0)
})

t.test('TLS_CLIENT_CA_FILE: a caller without a client certificate is refused, one with a certificate that CA signed is served', { skip }, async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startCli(t, { JIRA_URL: sim.url, ...installServerPair('first-server'), TLS_CLIENT_CA_FILE: file('client-ca.pem') })
  const anonymous = await curl(`${proxy.url}/_proxy/healthz`)
  t.not(anonymous.code, 0, 'no certificate: the handshake fails')
  t.equal(anonymous.out, '')
  const wrong = await curl('--cert', file('first-server.pem'), '--key', file('first-server-key.pem'), `${proxy.url}/_proxy/healthz`)
  t.not(wrong.code, 0, 'a certificate from another CA: refused too')
  const caller = await curl('--cert', file('caller.pem'), '--key', file('caller-key.pem'), `${proxy.url}/_proxy/healthz`)
  t.equal(caller.code, 0, caller.err)
  t.equal(caller.out, '{"status":"ok"}')
  proxy.child.kill('SIGTERM')
  t.equal(await proxy.exited, 0)
})

t.test('configuration: both files or neither, a key that fits the certificate, a client CA only with them', async (t) => {
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ JIRA_URL: 'http://127.0.0.1:9', ...env }, { cwd: '/nonexistent' })
      return []
    } catch (err) {
      return (err as { problems: string[] }).problems
    }
  }
  t.same(problems({ TLS_CERT_FILE: file('first-server.pem') }), ['TLS_KEY_FILE: is required when TLS_CERT_FILE is set'])
  t.same(problems({ TLS_KEY_FILE: file('first-server-key.pem') }), ['TLS_CERT_FILE: is required when TLS_KEY_FILE is set'])
  t.same(problems({ TLS_CLIENT_CA_FILE: file('client-ca.pem') }), ['TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE and TLS_KEY_FILE (client certificates are asked for on an HTTPS listener only)'])
  t.same(problems({ TLS_CERT_FILE: file('first-server.pem'), TLS_KEY_FILE: file('rotated-server-key.pem') }),
    [`TLS_KEY_FILE: ${file('rotated-server-key.pem')} is not the private key of the certificate in ${file('first-server.pem')}`])
  t.same(problems({ TLS_CERT_FILE: file('first-server-key.pem'), TLS_KEY_FILE: file('first-server.pem') }),
    [`TLS_CERT_FILE: ${file('first-server-key.pem')} holds no PEM certificate`, `TLS_KEY_FILE: ${file('first-server.pem')} holds no usable PEM private key (an encrypted key is not supported)`])
  t.same(problems({ TLS_CERT_FILE: file('missing.pem'), TLS_KEY_FILE: file('first-server-key.pem') }), [`TLS_CERT_FILE: cannot read ${file('missing.pem')} (ENOENT)`])
  t.same(problems({ TLS_CERT_FILE: file('first-server.pem'), TLS_KEY_FILE: file('first-server-key.pem'), TLS_CLIENT_CA_FILE: file('client-ca.pem') }), [])
})

t.test('a mismatched pair stops the CLI before listening: exit 2, the variable named', { skip }, async (t) => {
  const res = await runCli([], { JIRA_URL: 'http://127.0.0.1:9', TLS_CERT_FILE: file('first-server.pem'), TLS_KEY_FILE: file('caller-key.pem') })
  t.equal(res.code, 2)
  t.match(res.stderr, /TLS_KEY_FILE: .*caller-key\.pem is not the private key of the certificate/)
  t.notMatch(res.stderr, /BEGIN|PRIVATE/, 'nothing of the key')
})

t.test('doctor checks the pair: names the certificate and its validity, and fails an expired one', { skip }, async (t) => {
  const sim = await startSimulator(t)
  const pair = { TLS_CERT_FILE: file('first-server.pem'), TLS_KEY_FILE: file('first-server-key.pem') }
  const res = await runCli(['doctor'], { JIRA_URL: sim.url, ...pair })
  t.equal(res.code, 0, res.stdout)
  t.match(res.stdout, /✔ HTTPS listener: certificate for IP Address:127\.0\.0\.1, DNS:localhost, key matches, valid for 1 more day \(renew it soon\)/)
  const files = { cert: pair.TLS_CERT_FILE, key: pair.TLS_KEY_FILE, clientCa: undefined }
  const later = checkListenerTls(files, Date.now() + 3 * 24 * 3600 * 1000)
  t.match(later, { ok: false, text: /^HTTPS listener: the certificate in .*first-server\.pem expired on / })
  const mismatch = checkListenerTls({ ...files, key: file('caller-key.pem') })
  t.match(mismatch, { ok: false, text: /is not the private key of the certificate/ })
})

import { createServer, type Server } from 'node:http'
import { type AddressInfo, type Socket, connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { egressFor } from '../../src/ops/doctor.js'
import { startSimulator } from '../helpers/simulator.js'
import { doctor } from './_doctor.js'

// The network between the proxy and Jira: an on-premises CA, a plain-HTTP port given as https://,
// and a corporate egress proxy (used, bypassed by NO_PROXY, or refusing the tunnel).

const fixture = (name: string): string => fileURLToPath(new URL(`../simulator/fixtures/${name}`, import.meta.url))

async function startHttpsSimulator (t: Parameters<typeof startSimulator>[0]): ReturnType<typeof startSimulator> {
  const { readFileSync } = await import('node:fs')
  return startSimulator(t, { contextPath: '/jira', tls: { key: readFileSync(fixture('localhost-key.pem')), cert: readFileSync(fixture('localhost-cert.pem')) } })
}

t.test('a certificate from an unknown CA: explained, with JIRA_CA_FILE as the fix that works', async (t) => {
  const sim = await startHttpsSimulator(t)
  const env = { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' }
  const untrusted = await doctor(env)
  t.equal(untrusted.code, 1)
  t.match(untrusted.out, /✘ Jira is not reachable .*: Jira's TLS certificate is not signed by a CA this machine trusts \(DEPTH_ZERO_SELF_SIGNED_CERT\)/)
  t.match(untrusted.out, /Set JIRA_CA_FILE to the PEM file/)
  t.equal(sim.stats.calls.login, undefined, 'no login over an unverified connection')

  const trusted = await doctor({ ...env, JIRA_CA_FILE: fixture('localhost-cert.pem') })
  t.equal(trusted.code, 0, trusted.out)
  t.match(trusted.out, /TLS: Jira's certificate is checked against the CA in .*localhost-cert\.pem/)
  t.match(trusted.out, /reachable at https:\/\/127\.0\.0\.1:\d+ \(direct, certificate trusted/)

  const insecure = await doctor({ ...env, JIRA_TLS_INSECURE: 'true' })
  t.equal(insecure.code, 0)
  t.match(insecure.out, /certificate checks are OFF/)
})

t.test('https:// on a port that serves plain HTTP: the handshake failure explained', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const run = await doctor({ JIRA_URL: sim.url.replace(/^http:/, 'https:') })
  t.equal(run.code, 1)
  t.match(run.out, /TLS handshake .* failed/)
  t.match(run.out, /try http:\/\//)
})

interface EgressProxy {
  url: string
  tunnels: string[]
}

/** A minimal CONNECT proxy, like a corporate one; `refuse` answers every tunnel with that status. */
async function startEgressProxy (t: { teardown (fn: () => unknown): void }, refuse?: number): Promise<EgressProxy> {
  const tunnels: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((_req, res) => res.writeHead(405).end())
  server.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '')
    sockets.add(client)
    if (refuse !== undefined) {
      client.end(`HTTP/1.1 ${refuse} Refused\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    const [host, port] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host as string, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels }
}

t.test('an egress proxy: reported, and really used', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const egress = await startEgressProxy(t)
  const proxyUrl = egress.url.replace('http://', 'http://proxyuser:proxy-password-123@')
  const run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', HTTP_PROXY: proxyUrl })
  t.equal(run.code, 0, run.out)
  t.match(run.out, /Egress: through the egress proxy http:\/\/127\.0\.0\.1:\d+ \(with credentials\) \(HTTP_PROXY\)/)
  t.match(run.out, /reachable at http:\/\/127\.0\.0\.1:\d+ \(through http:\/\/127\.0\.0\.1:\d+ \(with credentials\)/)
  t.ok(egress.tunnels.length > 0, 'the requests went through the proxy')
  t.ok(egress.tunnels.every((target) => target === new URL(sim.url).host))
  t.notOk(run.out.includes('proxy-password-123'), 'the proxy\'s password is not printed')
  t.notOk(run.out.includes('proxyuser'), 'nor its user')
})

t.test('NO_PROXY naming Jira: reported as direct, and the proxy sees nothing', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const egress = await startEgressProxy(t)
  const run = await doctor({ JIRA_URL: sim.url, HTTP_PROXY: egress.url, NO_PROXY: 'localhost,127.0.0.1' })
  t.equal(run.code, 0, run.out)
  t.match(run.out, /Egress: direct connection to 127\.0\.0\.1:\d+: NO_PROXY matches it/)
  t.same(egress.tunnels, [])
})

t.test('an egress proxy that wants credentials: 407 explained', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const egress = await startEgressProxy(t, 407)
  const run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', HTTP_PROXY: egress.url })
  t.equal(run.code, 1)
  t.match(run.out, /✘ Jira is not reachable .*: the egress proxy refused the connection to 127\.0\.0\.1:\d+ \(HTTP 407\)/)
  t.match(run.out, /wants credentials/)
  t.equal(sim.stats.requests, 0, 'nothing reached Jira')
})

t.test('egressFor decides like undici\'s EnvHttpProxyAgent', async (t) => {
  const cases: Array<[string, { httpsProxy?: string, httpProxy?: string, noProxy?: string }, string | undefined]> = [
    ['https://jira.corp.example', {}, undefined],
    ['https://jira.corp.example', { httpsProxy: 'http://p:3128' }, 'http://p:3128'],
    ['https://jira.corp.example', { httpProxy: 'http://p:3128' }, 'http://p:3128'],
    ['http://jira.corp.example', { httpsProxy: 'http://p:3128' }, undefined],
    ['http://jira.corp.example', { httpProxy: 'http://h:3128', httpsProxy: 'http://s:3128' }, 'http://h:3128'],
    ['https://jira.corp.example', { httpsProxy: 'http://p:3128', noProxy: '*' }, undefined],
    ['https://jira.corp.example', { httpsProxy: 'http://p:3128', noProxy: 'corp.example' }, undefined],
    ['https://jira.corp.example', { httpsProxy: 'http://p:3128', noProxy: '.corp.example' }, undefined],
    ['https://jira.corp.example', { httpsProxy: 'http://p:3128', noProxy: '*.corp.example' }, undefined],
    ['https://jira.corp.example', { httpsProxy: 'http://p:3128', noProxy: 'ira.corp.example' }, 'http://p:3128'],
    ['https://jira.corp.example', { httpsProxy: 'http://p:3128', noProxy: 'jira.corp.example:8443' }, 'http://p:3128'],
    ['https://jira.corp.example:8443', { httpsProxy: 'http://p:3128', noProxy: 'jira.corp.example:8443' }, undefined],
    ['https://jira.corp.example', { httpsProxy: 'http://p:3128', noProxy: 'other.example, JIRA.corp.example' }, undefined]
  ]
  for (const [jiraUrl, egress, expected] of cases) {
    const got = egressFor({ jiraUrl, egress: { httpsProxy: egress.httpsProxy, httpProxy: egress.httpProxy, noProxy: egress.noProxy } })
    t.equal(got.proxy, expected, `${jiraUrl} ${JSON.stringify(egress)}`)
  }
})

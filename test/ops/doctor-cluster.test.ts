import t, { type Test } from 'tap'
import type { AffinityOptions, Simulator } from '../../src/simulator/index.js'
import { CLI, built, runCli } from '../helpers/cli.js'
import { startSimulator } from '../helpers/simulator.js'
import { JWT_SHAPE, SESSION_ID_SHAPE, doctor } from './_doctor.js'

// `doctor` against a Data Center cluster: its login, system/auth per app and logout carry the whole
// cookie jar of the session it opened, so they reach the node that holds that session (no false
// failure); and it says which affinity cookie or JSESSIONID route suffix the balancer uses, by
// name only. On a single Jira it says nothing of the kind.

const APPS = ['softwareplant-bigpicture', 'softwareplant-biggantt', 'softwareplant-bigtemplate']
const SERVICE = { JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' }

/** Counts of `kind` per node, from node 1. */
function perNode (sim: Simulator, kind: string): number[] {
  return Array.from({ length: sim.nodes }, (_, i) => sim.stats.nodes[i + 1]?.calls[kind] ?? 0)
}

/** No value of any cookie: neither a session id, nor an affinity value (hex or base64), nor a JWT. */
function assertNoCookieValues (t: Test, out: string): void {
  t.notMatch(out, SESSION_ID_SHAPE, 'no session id')
  t.notMatch(out, /\b[0-9a-f]{32}\b/, 'no sticky-cookie value')
  t.notMatch(out, /[A-Za-z0-9+/]{40,}/, 'no rotating-cookie value')
  t.notMatch(out, JWT_SHAPE, 'no JWT')
  t.notMatch(out, /[A-Za-z]=[^\s]/, 'no name=value pair')
}

const BALANCERS: ReadonlyArray<{ name: string, nodes: number, affinity: AffinityOptions, says: RegExp }> = [
  { name: 'ingress-nginx cookie', nodes: 2, affinity: { mode: 'cookie' }, says: /affinity cookie INGRESSCOOKIE \(ingress-nginx\) beside JSESSIONID/ },
  { name: 'AWSALB, a new value on every answer', nodes: 2, affinity: { mode: 'rotating' }, says: /affinity cookie AWSALB \(AWS, a new value on every answer\)/ },
  { name: 'jvmRoute suffix', nodes: 3, affinity: { mode: 'jvmRoute' }, says: /JSESSIONID carries the route suffix \.node\d \(Tomcat's jvmRoute\)/ },
  { name: 'F5 cookie set on the login answer only', nodes: 3, affinity: { mode: 'cookie', cookie: 'BIGipServerpool_jira', setCookie: 'session' }, says: /affinity cookie BIGipServerpool_jira \(F5 BIG-IP\)/ },
  { name: 'a cookie of a balancer nobody named', nodes: 2, affinity: { mode: 'cookie', cookie: 'STICKY_LB', setCookie: 'every' }, says: /set the cookie STICKY_LB beside JSESSIONID \(not Jira's own: a load balancer's affinity cookie\)/ }
]

for (const balancer of BALANCERS) {
  t.test(`${balancer.nodes} nodes behind ${balancer.name}: every check on the session's node, and the balancer named`, async (t) => {
    const sim = await startSimulator(t, { nodes: balancer.nodes, affinity: balancer.affinity })
    const run = await doctor({ JIRA_URL: sim.url, ...SERVICE })
    t.equal(run.code, 0, run.out)
    t.notMatch(run.out, /✘/)
    for (const app of APPS) t.match(run.out, new RegExp(`✔ ${app}: system/auth issued tokens`))
    const cluster = run.lines.filter((line) => line.includes('Data Center cluster'))
    t.equal(cluster.length, 1, 'one line about the cluster')
    t.match(cluster[0], /^✔ Data Center cluster behind a sticky load balancer: /)
    t.match(cluster[0], balancer.says)
    t.match(cluster[0], /The proxy keeps .* per session/, 'and that the proxy keeps it')

    t.equal(sim.stats.calls.login, 1, 'one login')
    t.equal(sim.stats.calls.auth, APPS.length, 'one system/auth per app')
    t.equal(sim.stats.calls.logout, 1, 'one logout')
    const home = perNode(sim, 'login').indexOf(1)
    t.same(perNode(sim, 'auth').map((n, i) => i === home ? n : 0), perNode(sim, 'auth'), 'every system/auth on the node of the login')
    t.equal(perNode(sim, 'auth')[home], APPS.length)
    t.equal(perNode(sim, 'logout')[home], 1, 'and the logout too')
    assertNoCookieValues(t, run.out)
  })
}

t.test('two nodes with a PAT as the service identity: the same, by token', async (t) => {
  const token = 'pat-0123456789abcdef0123456789abcdef'
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'cookie', cookie: 'ROUTEID' }, pats: { [token]: 'svc' } })
  const run = await doctor({ JIRA_URL: sim.url, JIRA_PAT: token })
  t.equal(run.code, 0, run.out)
  t.match(run.out, /✔ Data Center cluster .*affinity cookie ROUTEID \(Apache httpd\)/)
  t.equal(sim.stats.calls.auth, APPS.length)
  t.notOk(run.out.includes(token), 'the token is not printed')
})

t.test('no service identity: the affinity cookie of the status answer is still named', async (t) => {
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'cookie', cookie: 'SERVERID' } })
  const run = await doctor({ JIRA_URL: sim.url })
  t.equal(run.code, 0, run.out)
  t.match(run.out, /✔ Data Center cluster .*affinity cookie SERVERID \(HAProxy\)/)
  t.equal(sim.stats.calls.login, undefined, 'no login tried')
})

t.test('a single Jira: no word of a cluster', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const run = await doctor({ JIRA_URL: sim.url, ...SERVICE })
  t.equal(run.code, 0, run.out)
  t.notMatch(run.out, /cluster|affinity|route suffix/i)
})

t.test('a balancer without stickiness: system/auth on another node is explained as that, not as permissions', async (t) => {
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'none' } })
  // Round robin: /status on node 1, the login on node 2, system/auth back on node 1.
  const run = await doctor({ JIRA_URL: sim.url, ...SERVICE, BIGPICTURE_APPS: 'softwareplant-bigpicture' })
  t.equal(run.code, 1)
  t.same(perNode(sim, 'login'), [0, 1])
  t.same(perNode(sim, 'auth'), [1, 0], 'system/auth reached the node without the session')
  t.match(run.out, /✘ softwareplant-bigpicture: system\/auth did not recognise the session opened a moment ago \(HTTP 401, answered as anonymous\)/)
  t.match(run.out, /-> On a Data Center cluster, the load balancer must keep a client on the node that holds its session \(sticky sessions/)
  t.notMatch(run.out, /app permissions/, 'not blamed on the account')
  t.notMatch(run.out, /Data Center cluster behind a sticky load balancer/, 'nothing sticky to report')
})

t.test('the built CLI: `doctor` against a two-node cluster passes and names the affinity cookie', { skip: built ? false : `${CLI} missing: run npm run build` }, async (t) => {
  const sim = await startSimulator(t, { nodes: 2, affinity: { mode: 'cookie' } })
  const { code, stdout, stderr } = await runCli(['doctor'], { JIRA_URL: sim.url, ...SERVICE })
  t.equal(code, 0, stdout + stderr)
  t.match(stdout, /✔ Data Center cluster behind a sticky load balancer: Jira's answers set the load balancer's affinity cookie INGRESSCOOKIE \(ingress-nginx\)/)
  t.match(stdout, /All checks passed\./)
  t.equal(sim.stats.calls.login, 1)
  t.same(perNode(sim, 'auth').filter((n) => n > 0), [APPS.length], 'every system/auth on one node')
  assertNoCookieValues(t, stdout)
})

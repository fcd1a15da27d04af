import type { Simulator } from '../simulator/index.js'
import { APP, Checklist, ClientCookieJar, type Out, call, login, sleep } from './client.js'

/** The cookie caller of the cluster demo; the service identity is the proxy's own `svc`. */
const USER = 'alice'
const PASSWORD = 'alice-secret'
/** How many BigPicture requests the service identity's caller sends in a row. */
const SERVICE_REQUESTS = 4

/** How many calls of each kind each node counted during a step. */
type NodeCounts = Map<number, number>

/** Runs `step` and returns, per kind, the nodes whose counter of that kind grew, and by how much. */
async function onNodes<T> (sim: Simulator, kinds: readonly string[], step: () => Promise<T>): Promise<{ result: T, served: Record<string, NodeCounts> }> {
  const read = (kind: string): number[] => Array.from({ length: sim.nodes }, (_, i) => sim.stats.nodes[i + 1]?.calls[kind] ?? 0)
  const before = kinds.map(read)
  const result = await step()
  const served: Record<string, NodeCounts> = {}
  kinds.forEach((kind, k) => {
    const grown: NodeCounts = new Map()
    read(kind).forEach((n, i) => { if (n > (before[k]?.[i] ?? 0)) grown.set(i + 1, n - (before[k]?.[i] ?? 0)) })
    served[kind] = grown
  })
  return { result, served }
}

/** `node 2`, or `node 1 (3), node 2 (1)` when a step spread over several. */
function describeNodes (counts: NodeCounts | undefined): string {
  if (counts === undefined || counts.size === 0) return 'no node'
  if (counts.size === 1) return `node ${[...counts.keys()][0] ?? ''}`
  return [...counts].map(([node, n]) => `node ${node} (${n})`).join(', ')
}

/** Whether every kind was served by `node` alone. */
function onlyOn (node: number | undefined, ...counts: Array<NodeCounts | undefined>): boolean {
  return node !== undefined && counts.every((c) => c !== undefined && c.size === 1 && c.has(node))
}

/** The node of a step served by exactly one. */
function theNode (counts: NodeCounts | undefined): number | undefined {
  return counts?.size === 1 ? [...counts.keys()][0] : undefined
}

/**
 * The cluster demo: a Data Center of two nodes behind a balancer with cookie affinity, the proxy in
 * front. A cookie caller logs in and calls BigPicture; a caller without credentials uses the
 * proxy's service identity for BigPicture and Jira requests; after a token expiry both call again.
 * Each step says which node served it. True when every identity stayed on its session's node.
 */
export async function clusterScript (proxyUrl: string, sim: Simulator, tokenSeconds: number, out: Out): Promise<boolean> {
  const list = new Checklist(out)
  const jar = new ClientCookieJar()
  const boxes = `${proxyUrl}/rest/${APP}/1.0/box`

  out(`1. ${USER}, a cookie caller, logs in through the proxy: POST /rest/auth/1/session`)
  const loggedIn = await onNodes(sim, ['login'], async () => login(proxyUrl, jar, USER, PASSWORD))
  const aliceNode = theNode(loggedIn.served.login)
  list.expect({ status: loggedIn.result.status, body: undefined }, 200, 'logged in')
  out(`     the balancer sent the login to ${describeNodes(loggedIn.served.login)}, which now holds her Jira session`)
  out(`     her client keeps the cookies ${loggedIn.result.kept.join(', ') || '(none!)'}; the values stay in the jar`)

  out(`2. ${USER} calls BigPicture through the proxy with her cookies: GET /rest/${APP}/1.0/box`)
  const first = await onNodes(sim, ['auth', 'bigpicture'], async () => call(boxes, jar))
  list.expect(first.result, 200, `${Array.isArray(first.result.body) ? first.result.body.length : 0} boxes listed`)
  out(`     the proxy's system/auth, sent with all her cookies, was served by ${describeNodes(first.served.auth)}; the request by ${describeNodes(first.served.bigpicture)}`)
  list.check(onlyOn(aliceNode, first.served.auth, first.served.bigpicture), `both on node ${aliceNode ?? '?'}, the node of her session`)

  out(`3. A script on this machine with no credentials at all: the proxy's service identity (Jira user "svc")`)
  out(`   ${SERVICE_REQUESTS} BigPicture requests, then GET /rest/api/2/myself (a plain Jira request)`)
  const service = await onNodes(sim, ['login', 'auth', 'bigpicture', 'myself'], async () => {
    const answers = []
    for (let i = 0; i < SERVICE_REQUESTS; i++) answers.push(await call(boxes, undefined))
    return { answers, myself: await call(`${proxyUrl}/rest/api/2/myself`, undefined) }
  })
  const svcNode = theNode(service.served.login)
  list.check(service.result.answers.every((a) => a.status === 200), `${SERVICE_REQUESTS} times boxes listed: HTTP ${[...new Set(service.result.answers.map((a) => a.status))].join(', ')}`)
  const name = (service.result.myself.body as { name?: unknown } | null)?.name
  list.expect(service.result.myself, 200, `Jira answered as "${typeof name === 'string' ? name : '?'}"`)
  out(`     the proxy logged in as svc once, on ${describeNodes(service.served.login)}, and keeps the balancer's cookie in svc's cookie jar;`)
  out(`     system/auth was served by ${describeNodes(service.served.auth)}, the BigPicture requests by ${describeNodes(service.served.bigpicture)}, the Jira request by ${describeNodes(service.served.myself)}`)
  list.check(onlyOn(svcNode, service.served.auth, service.served.bigpicture, service.served.myself), `every request of the service identity stayed on node ${svcNode ?? '?'}`)

  out(`4. Wait ${tokenSeconds + 1} s: BigPicture tokens live ${tokenSeconds} s in this demo (15 min in Jira)`)
  await sleep((tokenSeconds + 1) * 1000)

  out('5. Both call BigPicture again; the proxy renews each one\'s token with system/reauth first')
  const again = await onNodes(sim, ['login', 'reauth', 'bigpicture'], async () => call(boxes, jar))
  list.expect(again.result, 200, `${USER}: boxes listed`)
  out(`     system/reauth served by ${describeNodes(again.served.reauth)}, the request by ${describeNodes(again.served.bigpicture)}`)
  const svcAgain = await onNodes(sim, ['login', 'reauth', 'bigpicture'], async () => call(boxes, undefined))
  list.expect(svcAgain.result, 200, 'service identity: boxes listed')
  out(`     system/reauth served by ${describeNodes(svcAgain.served.reauth)}, the request by ${describeNodes(svcAgain.served.bigpicture)}`)
  list.check(onlyOn(aliceNode, again.served.reauth, again.served.bigpicture) && onlyOn(svcNode, svcAgain.served.reauth, svcAgain.served.bigpicture),
    `${USER} still on node ${aliceNode ?? '?'}, the service identity still on node ${svcNode ?? '?'}`)
  const relogins = (again.served.login?.size ?? 0) + (svcAgain.served.login?.size ?? 0)
  list.check(relogins === 0, relogins === 0 ? 'no new login: both Jira sessions are still good on their nodes' : `${relogins} new logins`)

  out(`     simulator: logins ${sim.stats.calls.login ?? 0}, system/auth ${sim.stats.calls.auth ?? 0}, system/reauth ${sim.stats.calls.reauth ?? 0}, requests BigPicture refused (no or bad token) ${sim.stats.rejectedTokens}`)
  return list.ok
}

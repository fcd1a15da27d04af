import type { AffinityOptions, Simulator, SimulatorOptions } from '../../src/simulator/index.js'
import { basic, loginCookies } from './clients.js'
import { type StartedProxy, startProxy } from './proxy.js'
import { startSimulator } from './simulator.js'

/** The balancers a Data Center sits behind, as the cluster tests run each of them. */
export const AFFINITIES: ReadonlyArray<{ name: string, affinity: AffinityOptions }> = [
  { name: 'cookie affinity (INGRESSCOOKIE)', affinity: { mode: 'cookie' } },
  { name: 'rotating cookie (AWSALB)', affinity: { mode: 'rotating' } },
  { name: 'jvmRoute suffix', affinity: { mode: 'jvmRoute' } }
]

/** Two and three nodes behind each balancer. */
export const CLUSTERS: ReadonlyArray<{ name: string, nodes: number, affinity: AffinityOptions }> =
  [2, 3].flatMap((nodes) => AFFINITIES.map((a) => ({ name: `${nodes} nodes, ${a.name}`, nodes, affinity: a.affinity })))

export const PAT = 'pat-of-bob-0123456789abcdef'

/** One caller of each identity kind: the request headers it sends, and the Jira user it is. */
export interface Caller {
  kind: 'cookie' | 'password' | 'pat' | 'service'
  user: string
  headers: Record<string, string>
}

/**
 * A simulated cluster with the proxy in front (the service identity `svc`, a PAT of bob's), and a
 * caller of each kind: alice with her cookies (logged in through the proxy, as a browser would),
 * bob with Basic credentials, bob's PAT, and the service identity.
 */
export async function clusterScene (
  t: { teardown (fn: () => unknown): void },
  cluster: { nodes: number, affinity: AffinityOptions },
  simulator: SimulatorOptions = {},
  env: Record<string, string> = {}
): Promise<{ sim: Simulator, proxy: StartedProxy, callers: Caller[] }> {
  const sim = await startSimulator(t, { nodes: cluster.nodes, affinity: cluster.affinity, pats: { [PAT]: 'bob' }, ...simulator })
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', ...env })
  const cookie = await loginCookies(proxy.url, 'alice', 'alice-secret')
  const callers: Caller[] = [
    { kind: 'cookie', user: 'alice', headers: { cookie } },
    { kind: 'password', user: 'bob', headers: { authorization: basic('bob', 'bob-secret') } },
    { kind: 'pat', user: 'bob', headers: { authorization: `Bearer ${PAT}` } },
    { kind: 'service', user: 'svc', headers: {} }
  ]
  return { sim, proxy, callers }
}

/** The one node whose counter of `kind` grew during `step`; throws if none or several did. */
export async function nodeCounting (sim: Simulator, kind: string, step: () => Promise<unknown>): Promise<number> {
  const before = counts(sim, kind)
  await step()
  const after = counts(sim, kind)
  const grew = after.flatMap((n, i) => n !== before[i] ? [i + 1] : [])
  if (grew.length !== 1) throw new Error(`expected one node to count ${kind}, ${grew.length} did`)
  return grew[0] as number
}

function counts (sim: Simulator, kind: string): number[] {
  return Array.from({ length: sim.nodes }, (_, i) => sim.stats.nodes[i + 1]?.calls[kind] ?? 0)
}

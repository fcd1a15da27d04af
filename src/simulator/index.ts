import { createAffinity, jvmRouteOf } from './affinity.js'
import { Balancer } from './balancer.js'
import { createControl } from './control.js'
import { JiraNode } from './node.js'
import { SimulatorServer } from './server.js'
import { createSharedState } from './state.js'
import type { AffinityOptions, Simulator, SimulatorOptions } from './types.js'

export type {
  AffinityOptions, AuthMode, CallKind, NodeStats, ReauthMode, Simulator, SimulatorControl, SimulatorOptions, SimulatorStats
} from './types.js'
export { parseSimulateArgs, type SimulateArgs } from './args.js'
export { BIGPICTURE_APPS } from './routes/bigpicture.js'
export { downloadByteAt } from './routes/jira-api.js'
export { BASIC_DISABLED_MESSAGE } from './identity.js'

const DEFAULT_SESSION_IDLE_SECONDS = 18000

/**
 * A Jira Server/Data Center with the BigPicture apps (8.3+ JWT behaviour), in process. Build it,
 * `listen()`, point a client at the returned URL; `control` provokes failures, `stats` shows what
 * arrived. With `nodes` (or `affinity`) it is a Data Center: several nodes behind one balancer.
 */
export function buildSimulator (options: SimulatorOptions = {}): Simulator {
  const nodeCount = options.nodes ?? 1
  if (!Number.isInteger(nodeCount) || nodeCount < 1) throw new RangeError(`nodes must be a whole number from 1, got ${nodeCount}`)
  const affinity: AffinityOptions | undefined = options.affinity ?? (nodeCount > 1 ? { mode: 'cookie' } : undefined)
  const shared = createSharedState(options, nodeCount)
  const idleSeconds = options.sessionIdleSeconds ?? DEFAULT_SESSION_IDLE_SECONDS
  const nodes = Array.from({ length: nodeCount }, (_, index) => new JiraNode(
    shared, index + 1, idleSeconds,
    affinity?.mode === 'jvmRoute' ? jvmRouteOf(index + 1) : undefined,
    affinity === undefined ? options.tls : undefined
  ))
  const balancer = affinity === undefined ? undefined : new Balancer(nodes, createAffinity(affinity, nodeCount, shared.clock))
  const front = balancer === undefined ? (nodes[0] as JiraNode).server : new SimulatorServer(balancer.listener, options.tls)
  return {
    listen: async (port, host) => {
      // Behind a balancer the nodes listen on loopback ports of their own, like pods behind an ingress.
      if (balancer !== undefined) await Promise.all(nodes.map((node) => node.server.listen(0, '127.0.0.1')))
      shared.common.baseUrl = `${await front.listen(port, host)}${shared.contextPath}`
      return shared.common.baseUrl
    },
    close: async () => {
      await front.close()
      balancer?.close()
      await Promise.all(nodes.map((node) => node.server.close()))
    },
    get url () { return shared.common.baseUrl },
    get port () { return front.port },
    get nodes () { return nodeCount },
    control: createControl(shared, nodes, front, balancer),
    stats: shared.stats
  }
}

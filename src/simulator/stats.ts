import type { SimulatorState } from './state.js'
import type { CallKind, NodeStats, SimulatorStats } from './types.js'

function createNodeStats (): NodeStats {
  return { calls: {}, sessionsCreated: 0, requests: 0 }
}

/** Fresh counters, with a set per node numbered from 1. */
export function createStats (nodeCount: number): SimulatorStats {
  const nodes: Record<number, NodeStats> = {}
  for (let node = 1; node <= nodeCount; node++) nodes[node] = createNodeStats()
  return {
    calls: {},
    callsByUser: {},
    loginFailures: 0,
    captchaChallenges: 0,
    identityMismatches: 0,
    rejectedTokens: 0,
    sessionsCreated: 0,
    tasks: [],
    uploads: [],
    requests: 0,
    nodes
  }
}

/** Resets in place, the per-node counters too, so a reference a test already holds stays current. */
export function resetStats (stats: SimulatorStats): void {
  const nodes = stats.nodes
  Object.assign(stats, createStats(0), { nodes })
  for (const nodeStats of Object.values(nodes)) Object.assign(nodeStats, createNodeStats())
}

/** Counts one call of a kind, in the totals, per user when the user is known, and on the node. */
export function countCall (state: SimulatorState, kind: CallKind, user?: string): void {
  const { stats, nodeStats } = state
  stats.calls[kind] = (stats.calls[kind] ?? 0) + 1
  nodeStats.calls[kind] = (nodeStats.calls[kind] ?? 0) + 1
  if (user === undefined) return
  const byUser = stats.callsByUser[user] ?? (stats.callsByUser[user] = {})
  byUser[kind] = (byUser[kind] ?? 0) + 1
}

/** Counts a session opened on the node. */
export function countSession (state: SimulatorState): void {
  state.stats.sessionsCreated++
  state.nodeStats.sessionsCreated++
}

import type { Balancer } from './balancer.js'
import type { JiraNode } from './node.js'
import type { SimulatorServer } from './server.js'
import type { SharedState } from './state.js'
import { resetStats } from './stats.js'
import type { SimulatorControl } from './types.js'

/** The node numbered `node` (from 1), or a RangeError naming the valid numbers. */
function nodeNumbered (nodes: readonly JiraNode[], node: number): JiraNode {
  const found = Number.isInteger(node) ? nodes[node - 1] : undefined
  if (found === undefined) throw new RangeError(`node must be a number from 1 to ${nodes.length}, got ${node}`)
  return found
}

/**
 * The control object: the only way to make the simulator misbehave on purpose. `front` is what
 * clients connect to (the balancer, or the only node).
 */
export function createControl (state: SharedState, nodes: readonly JiraNode[], front: SimulatorServer, balancer?: Balancer): SimulatorControl {
  return {
    revokeAllTokens: () => state.tokens.revokeAll(),
    revokeAuthTokens: (user) => state.tokens.revokeAuth(user),
    expireSessions: (user) => { for (const node of nodes) node.state.sessions.expire(user) },
    setLifetimes: (lifetimes) => {
      if (lifetimes.authTokenSeconds !== undefined) state.tokens.lifetimes.authTokenSeconds = lifetimes.authTokenSeconds
      if (lifetimes.refreshTokenSeconds !== undefined) state.tokens.lifetimes.refreshTokenSeconds = lifetimes.refreshTokenSeconds
      if (lifetimes.sessionIdleSeconds !== undefined) {
        for (const node of nodes) node.state.sessions.idleSeconds = lifetimes.sessionIdleSeconds
      }
    },
    setAuthMode: (mode) => { state.common.authMode = mode },
    setReauthMode: (mode) => { state.common.reauthMode = mode },
    setLatency: (ms) => { state.common.latencyMs = Math.max(0, ms) },
    holdTokenAnswers: () => {
      let release = (): void => {}
      const held = new Promise<void>((resolve) => { release = resolve })
      state.common.tokenAnswersHeld = held
      return () => {
        if (state.common.tokenAnswersHeld === held) state.common.tokenAnswersHeld = undefined
        release()
      }
    },
    setBasicAuthDisabled: (disabled) => { state.common.basicAuthDisabled = disabled },
    setDown: (down) => front.setDown(down),
    stopNode: async (number) => {
      const node = nodeNumbered(nodes, number)
      await node.stop()
      balancer?.forget(number)
    },
    startNode: async (number) => await nodeNumbered(nodes, number).start(),
    resetCaptcha: (user) => state.logins.reset(user),
    addUser: (name, password) => { state.users.set(name, password) },
    addPat: (token, user) => { state.pats.set(token, user) },
    resetStats: () => resetStats(state.stats)
  }
}

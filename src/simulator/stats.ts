import type { CallKind, SimulatorStats } from './types.js'

export function createStats (): SimulatorStats {
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
    requests: 0
  }
}

/** Resets in place, so a reference a test already holds stays current. */
export function resetStats (stats: SimulatorStats): void {
  Object.assign(stats, createStats())
}

/** Counts one call of a kind, and per user when the user is known. */
export function countCall (stats: SimulatorStats, kind: CallKind, user?: string): void {
  stats.calls[kind] = (stats.calls[kind] ?? 0) + 1
  if (user === undefined) return
  const byUser = stats.callsByUser[user] ?? (stats.callsByUser[user] = {})
  byUser[kind] = (byUser[kind] ?? 0) + 1
}

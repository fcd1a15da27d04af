import type { SimulatorServer } from './server.js'
import type { SimulatorState } from './state.js'
import { resetStats } from './stats.js'
import type { SimulatorControl } from './types.js'

/** The control object: the only way to make the simulator misbehave on purpose. */
export function createControl (state: SimulatorState, server: SimulatorServer): SimulatorControl {
  return {
    revokeAllTokens: () => state.tokens.revokeAll(),
    revokeAuthTokens: (user) => state.tokens.revokeAuth(user),
    expireSessions: (user) => state.sessions.expire(user),
    setLifetimes: (lifetimes) => {
      if (lifetimes.authTokenSeconds !== undefined) state.tokens.lifetimes.authTokenSeconds = lifetimes.authTokenSeconds
      if (lifetimes.refreshTokenSeconds !== undefined) state.tokens.lifetimes.refreshTokenSeconds = lifetimes.refreshTokenSeconds
      if (lifetimes.sessionIdleSeconds !== undefined) state.sessions.idleSeconds = lifetimes.sessionIdleSeconds
    },
    setAuthMode: (mode) => { state.authMode = mode },
    setReauthMode: (mode) => { state.reauthMode = mode },
    setLatency: (ms) => { state.latencyMs = Math.max(0, ms) },
    holdTokenAnswers: () => {
      let release = (): void => {}
      const held = new Promise<void>((resolve) => { release = resolve })
      state.tokenAnswersHeld = held
      return () => {
        if (state.tokenAnswersHeld === held) state.tokenAnswersHeld = undefined
        release()
      }
    },
    setBasicAuthDisabled: (disabled) => { state.basicAuthDisabled = disabled },
    setDown: (down) => server.setDown(down),
    resetCaptcha: (user) => state.logins.reset(user),
    addUser: (name, password) => { state.users.set(name, password) },
    addPat: (token, user) => { state.pats.set(token, user) },
    resetStats: () => resetStats(state.stats)
  }
}

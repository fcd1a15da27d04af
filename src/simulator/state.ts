import { createClock, type Clock } from './clock.js'
import { LoginGuard } from './login-guard.js'
import { SessionStore } from './sessions.js'
import { createStats } from './stats.js'
import { TokenAuthority } from './tokens.js'
import type { AuthMode, NodeStats, ReauthMode, SimulatorOptions, SimulatorStats } from './types.js'

export const DEFAULT_USERS: Readonly<Record<string, string>> = { alice: 'alice-secret', bob: 'bob-secret', svc: 'svc-secret' }

/** The switches a test flips and the counters every node shares (one object, so a change reaches all nodes). */
export interface CommonState {
  basicAuthDisabled: boolean
  authMode: AuthMode
  reauthMode: ReauthMode
  latencyMs: number
  /** While set, system/auth and system/reauth issue their tokens, then wait for it to settle. */
  tokenAnswersHeld: Promise<void> | undefined
  nextId: number
  /** Base URL including the context path, once listening (used for the CAPTCHA login URL). */
  baseUrl: string
}

/**
 * What every node of a Data Center shares: the user directory, PATs, login failure counts, the
 * JWT signing key and revocation state, the switches, and the totals of the counters.
 */
export interface SharedState {
  readonly contextPath: string
  readonly secureCookies: boolean
  readonly clock: Clock
  readonly users: Map<string, string>
  readonly pats: Map<string, string>
  readonly logins: LoginGuard
  readonly tokens: TokenAuthority
  /** Totals over every node. */
  readonly stats: SimulatorStats
  readonly common: CommonState
}

/** One node as its request handlers see it: the shared state plus its own sessions and counters. */
export interface SimulatorState extends SharedState {
  /** The node's number, from 1. */
  readonly node: number
  readonly nodeStats: NodeStats
  /** Jira sessions live only on the node that created them; a restarted node gets an empty store. */
  sessions: SessionStore
}

/** '/jira/' and 'jira' become '/jira'; '/' and '' become ''. */
export function normalizeContextPath (contextPath: string): string {
  const trimmed = contextPath.replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? '' : `/${trimmed}`
}

export function createSharedState (options: SimulatorOptions, nodeCount: number): SharedState {
  const clock = createClock(options.clockOffsetSeconds ?? 0)
  return {
    contextPath: normalizeContextPath(options.contextPath ?? ''),
    secureCookies: options.secureCookies ?? false,
    clock,
    users: new Map(Object.entries(options.users ?? DEFAULT_USERS)),
    pats: new Map(Object.entries(options.pats ?? {})),
    logins: new LoginGuard(options.captchaAfter ?? 3),
    tokens: new TokenAuthority(clock, {
      authTokenSeconds: options.authTokenSeconds ?? 900,
      refreshTokenSeconds: options.refreshTokenSeconds ?? 604800
    }),
    stats: createStats(nodeCount),
    common: {
      basicAuthDisabled: options.basicAuthDisabled ?? false,
      authMode: 'ok',
      reauthMode: 'ok',
      latencyMs: 0,
      tokenAnswersHeld: undefined,
      nextId: 10000,
      baseUrl: ''
    }
  }
}

/**
 * The state of node `node` (from 1). `sessionRoute` is Tomcat's jvmRoute: when set, session ids
 * end in `.<sessionRoute>`.
 */
export function createNodeState (shared: SharedState, node: number, idleSeconds: number, sessionRoute?: string): SimulatorState {
  const nodeStats = shared.stats.nodes[node]
  if (nodeStats === undefined) throw new Error(`no counters for node ${node}`)
  return { ...shared, node, nodeStats, sessions: new SessionStore(shared.clock, idleSeconds, sessionRoute) }
}

import { createClock, type Clock } from './clock.js'
import { LoginGuard } from './login-guard.js'
import { SessionStore } from './sessions.js'
import { createStats } from './stats.js'
import { TokenAuthority } from './tokens.js'
import type { AuthMode, ReauthMode, SimulatorOptions, SimulatorStats } from './types.js'

export const DEFAULT_USERS: Readonly<Record<string, string>> = { alice: 'alice-secret', bob: 'bob-secret', svc: 'svc-secret' }

/** Everything the request handlers share: the stores, the switches a test flips, the counters. */
export interface SimulatorState {
  readonly contextPath: string
  readonly secureCookies: boolean
  readonly clock: Clock
  readonly users: Map<string, string>
  readonly pats: Map<string, string>
  readonly sessions: SessionStore
  readonly logins: LoginGuard
  readonly tokens: TokenAuthority
  readonly stats: SimulatorStats
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

/** '/jira/' and 'jira' become '/jira'; '/' and '' become ''. */
export function normalizeContextPath (contextPath: string): string {
  const trimmed = contextPath.replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? '' : `/${trimmed}`
}

export function createState (options: SimulatorOptions): SimulatorState {
  const clock = createClock(options.clockOffsetSeconds ?? 0)
  return {
    contextPath: normalizeContextPath(options.contextPath ?? ''),
    secureCookies: options.secureCookies ?? false,
    clock,
    users: new Map(Object.entries(options.users ?? DEFAULT_USERS)),
    pats: new Map(Object.entries(options.pats ?? {})),
    sessions: new SessionStore(clock, options.sessionIdleSeconds ?? 18000),
    logins: new LoginGuard(options.captchaAfter ?? 3),
    tokens: new TokenAuthority(clock, {
      authTokenSeconds: options.authTokenSeconds ?? 900,
      refreshTokenSeconds: options.refreshTokenSeconds ?? 604800
    }),
    stats: createStats(),
    basicAuthDisabled: options.basicAuthDisabled ?? false,
    authMode: 'ok',
    reauthMode: 'ok',
    latencyMs: 0,
    tokenAnswersHeld: undefined,
    nextId: 10000,
    baseUrl: ''
  }
}

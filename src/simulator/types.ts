/** Options of {@link buildSimulator}; every field has a default close to a stock Jira. */
export interface SimulatorOptions {
  /** '' (default) or e.g. '/jira'; every Jira URL lives under it. */
  contextPath?: string
  /** username -> password. */
  users?: Record<string, string>
  /** personal access token -> username. */
  pats?: Record<string, string>
  /** Add `Secure` to Set-Cookie. */
  secureCookies?: boolean
  /** Data Center 8.16+ mode: any request carrying Basic credentials answers 403. */
  basicAuthDisabled?: boolean
  /** Idle session expiry in seconds (Jira's default is 300 minutes). */
  sessionIdleSeconds?: number
  /** Lifetime of BigPicture authentication JWTs. */
  authTokenSeconds?: number
  /** Lifetime of BigPicture refresh JWTs. */
  refreshTokenSeconds?: number
  /** Failed logins per user before Jira demands a CAPTCHA. */
  captchaAfter?: number
  /** The simulator's clock = real clock + offset (Date header, iat/exp). */
  clockOffsetSeconds?: number
  /** Serve HTTPS with this key pair. */
  tls?: { key: string | Buffer, cert: string | Buffer }
}

export type AuthMode = 'ok' | 'garbage' | 'error500' | 'anonymous'
export type ReauthMode = 'ok' | 'fail' | 'error500'

/** What a test may provoke; none of it is reachable through a Jira URL. */
export interface SimulatorControl {
  /** Every issued authentication and refresh token becomes invalid. */
  revokeAllTokens(): void
  /** Only authentication tokens (of a user, or all); refresh tokens keep working. */
  revokeAuthTokens(user?: string): void
  /** Kill Jira sessions (of a user, or all). */
  expireSessions(user?: string): void
  setLifetimes(l: { authTokenSeconds?: number, refreshTokenSeconds?: number, sessionIdleSeconds?: number }): void
  /** How system/auth answers: normally; 200 with garbage; 500; 200 anonymous without tokens. */
  setAuthMode(mode: AuthMode): void
  /** How system/reauth answers: normally; 401; 500. */
  setReauthMode(mode: ReauthMode): void
  /** Delay before answering every request. */
  setLatency(ms: number): void
  /**
   * From now on system/auth and system/reauth issue their tokens at once but hold the answers
   * until the returned function is called: an answer still on its way while Jira moves on (a
   * revocation landing after the token was issued, before the proxy has it).
   */
  holdTokenAnswers(): () => void
  setBasicAuthDisabled(disabled: boolean): void
  /** true: stop listening and destroy sockets; false: listen again on the same port. */
  setDown(down: boolean): Promise<void>
  /** Clear failure counts and CAPTCHA state (of a user, or all). */
  resetCaptcha(user?: string): void
  addUser(name: string, password: string): void
  addPat(token: string, user: string): void
  resetStats(): void
}

export type CallKind =
  | 'login' | 'logout' | 'session' | 'myself' | 'attachment'
  | 'auth' | 'reauth' | 'bigpicture' | 'other' | 'basic' | 'pat'

/** Counters a test reads to prove what reached Jira. */
export interface SimulatorStats {
  calls: Record<string, number>
  callsByUser: Record<string, Record<string, number>>
  loginFailures: number
  captchaChallenges: number
  identityMismatches: number
  rejectedTokens: number
  sessionsCreated: number
  tasks: Array<{ app: string, user: string, body: string, id: number }>
  uploads: Array<{ issueKey: string, user: string, bytes: number }>
  requests: number
}

export interface Simulator {
  /** Resolves the base URL including the context path. */
  listen(port?: number, host?: string): Promise<string>
  /** Closes the server and all its sockets. */
  close(): Promise<void>
  readonly url: string
  readonly port: number
  readonly control: SimulatorControl
  readonly stats: SimulatorStats
}

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
  /**
   * Jira Data Center nodes behind one load balancer (default 1: a single Jira, no balancer). Each
   * node keeps its own sessions; users, PATs, login failures and JWTs are shared by all.
   */
  nodes?: number
  /**
   * How the balancer keeps a client on its node (default with several nodes: ingress-nginx's
   * `INGRESSCOOKIE`). Given with one node, that node sits behind the balancer too.
   */
  affinity?: AffinityOptions
}

/**
 * The balancer's stickiness.
 * - `cookie`: a cookie of the balancer's own (default `INGRESSCOOKIE`), one opaque value per node,
 *   `Path=/; HttpOnly`; `setCookie` says on which answers: when the balancer (re)assigns a node
 *   (`assign`, the default), on `every` answer, or only on answers that open a Jira `session`.
 * - `rotating`: AWS ALB's `AWSALB` (default name); every answer sets a new value for the same node.
 * - `jvmRoute`: no cookie of its own; session ids end in `.node<N>` and route by that suffix.
 * - `none`: round robin on every request, so Jira sessions break (a misconfigured balancer).
 */
export type AffinityOptions =
  | { mode: 'cookie', cookie?: string, setCookie?: 'assign' | 'every' | 'session' }
  | { mode: 'rotating', cookie?: string }
  | { mode: 'jvmRoute' }
  | { mode: 'none' }

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
   * Delay system/auth answers by this much more, after the call is counted and its verdict taken
   * (the session is judged on arrival): a token call still under way while the same user's other
   * requests go on.
   */
  setAuthLatency(ms: number): void
  /**
   * From now on system/auth and system/reauth issue their tokens at once but hold the answers
   * until the returned function is called: an answer still on its way while Jira moves on (a
   * revocation landing after the token was issued, before the proxy has it).
   */
  holdTokenAnswers(): () => void
  setBasicAuthDisabled(disabled: boolean): void
  /**
   * true: stop listening and destroy sockets; false: listen again on the same port. With a
   * balancer, the balancer goes down; the nodes and their sessions stay.
   */
  setDown(down: boolean): Promise<void>
  /**
   * Crashes node `node` (from 1): its open exchanges are cut (502 from the balancer, or a cut
   * answer) and its sessions are lost; the balancer sends its clients to another running node.
   * Stopping the only node of a simulator without a balancer refuses connections like setDown.
   */
  stopNode(node: number): Promise<void>
  /** Starts a stopped node again, with an empty session store. */
  startNode(node: number): Promise<void>
  /** Clear failure counts and CAPTCHA state (of a user, or all). */
  resetCaptcha(user?: string): void
  addUser(name: string, password: string): void
  addPat(token: string, user: string): void
  resetStats(): void
}

export type CallKind =
  | 'login' | 'logout' | 'session' | 'myself' | 'attachment'
  | 'auth' | 'reauth' | 'bigpicture' | 'other' | 'basic' | 'pat'
  /** `GET /rest/auth/1/session` that opened a session with a personal access token: a PAT's login. */
  | 'pat_login'

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
  /** The same kind of counters per node, keyed by node number (from 1). */
  nodes: Record<number, NodeStats>
}

/** What reached one node. */
export interface NodeStats {
  /** Calls by endpoint kind, as {@link SimulatorStats.calls}. */
  calls: Record<string, number>
  sessionsCreated: number
  requests: number
}

export interface Simulator {
  /** Resolves the base URL including the context path. */
  listen(port?: number, host?: string): Promise<string>
  /** Closes the server and all its sockets. */
  close(): Promise<void>
  readonly url: string
  readonly port: number
  /** How many Jira nodes (1 without the cluster options). */
  readonly nodes: number
  readonly control: SimulatorControl
  readonly stats: SimulatorStats
}

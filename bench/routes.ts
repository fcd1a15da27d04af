/** Paths and messages shared by the benchmark's processes. */

/** The BigPicture root every benchmark request with a JWT goes to. */
export const BP_ROOT = '/rest/softwareplant-bigpicture/1.0'
export const BP_AUTH = `${BP_ROOT}/system/auth`
export const BP_REAUTH = `${BP_ROOT}/system/reauth`
/** A BigPicture data call: needs the session cookie and a current token. */
export const BP_ROUTE = `${BP_ROOT}/box/7/tasks`
/** A plain Jira call: passes through untouched. */
export const JIRA_ROUTE = '/rest/api/2/myself'
/** Jira's REST login (POST) and session check (GET), as the service identity uses them. */
export const LOGIN_ROUTE = '/rest/auth/1/session'
/** POST here: the stub counts the bytes and answers how many arrived. */
export const UPLOAD_ROUTE = '/rest/api/2/issue/BENCH-1/attachments'
/** GET `${DOWNLOAD_ROUTE}<bytes>`: the stub streams that many bytes. */
export const DOWNLOAD_ROUTE = '/secure/attachment/bench/'

/** Requests from the orchestrator to the stub over IPC. */
export type StubCommand =
  | { id: number, cmd: 'stats' }
  /** Invalidate every authentication token (refresh tokens stay good, as after expiry). */
  | { id: number, cmd: 'revoke' }
  /** Zero the counters. */
  | { id: number, cmd: 'reset-counters' }
  /** Forget every session, so the stub's own memory does not grow across phases. */
  | { id: number, cmd: 'forget' }

export interface StubStats {
  /** Logins at `LOGIN_ROUTE`. */
  logins: number
  auth: number
  reauth: number
  /** BigPicture data calls refused with 401 (stale or missing token). */
  rejected: number
  sessions: number
}

export const cookieFor = (sessionId: string): string => `JSESSIONID=${sessionId}`

/**
 * The balancer's affinity cookie the stub sets beside `JSESSIONID` at login, as a Data Center
 * cluster's does: the cookie jar of a proxy-made session holds both.
 */
export const AFFINITY_COOKIE = 'INGRESSCOOKIE'

/** The service account the products log in with. */
export const SERVICE_USER = { username: 'bench-service', password: 'bench-service-password' }

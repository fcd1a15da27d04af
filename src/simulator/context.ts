import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SimulatorState } from './state.js'

/** One request as the routes see it: path segments below the context path, already decoded. */
export interface RequestContext {
  readonly state: SimulatorState
  readonly req: IncomingMessage
  readonly res: ServerResponse
  readonly segments: readonly string[]
  readonly query: URLSearchParams
}

/** Tells the caller who Jira thinks it is, as Jira does on every answer. */
export function setUserHeader (res: ServerResponse, user: string): void {
  if (!res.headersSent) res.setHeader('X-AUSERNAME', user)
}

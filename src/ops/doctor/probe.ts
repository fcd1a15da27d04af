import type { Dispatcher } from 'undici'
import type { Config } from '../../config.js'
import type { SessionCookies } from '../../tokens/session.js'

/** Enough of a body to read a status or token answer; anything longer is not what we asked for. */
const MAX_BODY_CHARS = 64 * 1024

/** Jira's answer to one check. */
export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  ms: number
}

/**
 * One request to Jira, nothing else: no retry, no redirect following, the body read to a cap.
 * Every request carries the whole jar of the doctor's session and files what the answer sets in
 * it, as the proxy does, so on a Data Center cluster each check reaches the session's node.
 */
export class JiraProbe {
  readonly #d: Dispatcher
  readonly #config: Config
  readonly #timeout: number
  readonly #session: SessionCookies

  constructor (dispatcher: Dispatcher, config: Config, timeoutMs: number, session: SessionCookies) {
    this.#d = dispatcher
    this.#config = config
    this.#timeout = timeoutMs
    this.#session = session
  }

  async request (path: string, method: 'GET' | 'DELETE' = 'GET'): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' }
    const cookie = this.#session.cookieHeader
    if (cookie !== '') headers.cookie = cookie
    const started = performance.now()
    const res = await this.#d.request({
      origin: this.#config.jiraOrigin,
      path: this.#config.contextPath + path,
      method,
      headers,
      headersTimeout: this.#timeout,
      bodyTimeout: this.#timeout
    })
    const ms = performance.now() - started
    this.#session.absorb(res.headers['set-cookie'])
    let text = ''
    for await (const chunk of res.body) {
      if (text.length < MAX_BODY_CHARS) text += (chunk as Buffer).toString('utf8')
    }
    return { status: res.statusCode, headers: res.headers, text: text.slice(0, MAX_BODY_CHARS), ms }
  }
}

import { randomBytes } from 'node:crypto'
import type { Clock } from './clock.js'

const SWEEP_EVERY = 1000

export interface Session {
  readonly id: string
  readonly user: string
  lastUsedMs: number
}

/** Jira sessions with idle expiry: each use extends a session's life. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>()
  readonly #clock: Clock
  readonly #idSuffix: string
  idleSeconds: number
  #created = 0

  /** `route` is Tomcat's jvmRoute: when given, every session id ends in `.<route>`. */
  constructor (clock: Clock, idleSeconds: number, route?: string) {
    this.#clock = clock
    this.idleSeconds = idleSeconds
    this.#idSuffix = route === undefined ? '' : `.${route}`
  }

  create (user: string): Session {
    // Basic clients open a session per request; sweeping now and then keeps a long run's memory flat.
    if (++this.#created % SWEEP_EVERY === 0) this.#sweep()
    // Tomcat's JSESSIONID: 32 uppercase hex digits, then the jvmRoute if the node has one.
    const session = { id: `${randomBytes(16).toString('hex').toUpperCase()}${this.#idSuffix}`, user, lastUsedMs: this.#clock.nowMs() }
    this.#sessions.set(session.id, session)
    return session
  }

  /** How many sessions are held (live or not yet swept). */
  get size (): number {
    return this.#sessions.size
  }

  /** The live session with this id, touched; undefined when unknown or idle too long. */
  use (id: string): Session | undefined {
    const session = this.#sessions.get(id)
    if (session === undefined) return undefined
    const now = this.#clock.nowMs()
    if (now - session.lastUsedMs > this.idleSeconds * 1000) {
      this.#sessions.delete(id)
      return undefined
    }
    session.lastUsedMs = now
    return session
  }

  #sweep (): void {
    const oldest = this.#clock.nowMs() - this.idleSeconds * 1000
    for (const [id, session] of this.#sessions) if (session.lastUsedMs < oldest) this.#sessions.delete(id)
  }

  delete (id: string): boolean {
    return this.#sessions.delete(id)
  }

  /** Removes every session, or those of one user. */
  expire (user?: string): void {
    for (const [id, session] of this.#sessions) {
      if (user === undefined || session.user === user) this.#sessions.delete(id)
    }
  }
}

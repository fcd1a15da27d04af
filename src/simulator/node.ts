import { createRequestListener } from './router.js'
import { SimulatorServer } from './server.js'
import { SessionStore } from './sessions.js'
import { createNodeState, type SharedState, type SimulatorState } from './state.js'
import type { SimulatorOptions } from './types.js'

/**
 * One Jira node: its own listener and session store over the state every node shares. Stopping
 * it is a crash: open exchanges are cut and its sessions are gone when it starts again.
 */
export class JiraNode {
  readonly state: SimulatorState
  readonly server: SimulatorServer
  readonly #sessionRoute: string | undefined

  constructor (shared: SharedState, node: number, idleSeconds: number, sessionRoute: string | undefined, tls: SimulatorOptions['tls']) {
    this.state = createNodeState(shared, node, idleSeconds, sessionRoute)
    this.#sessionRoute = sessionRoute
    this.server = new SimulatorServer(createRequestListener(this.state), tls)
  }

  get number (): number {
    return this.state.node
  }

  get running (): boolean {
    return this.server.listening
  }

  /** Stops the node: connections refused, open exchanges cut, sessions lost. */
  async stop (): Promise<void> {
    await this.server.close()
    this.state.sessions = new SessionStore(this.state.clock, this.state.sessions.idleSeconds, this.#sessionRoute)
  }

  /** Starts a stopped node again on the same port, with no sessions. */
  async start (): Promise<void> {
    await this.server.setDown(false)
  }
}

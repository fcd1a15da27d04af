import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createRequestListener } from './router.js'
import type { SimulatorState } from './state.js'
import type { SimulatorOptions } from './types.js'

/** The listening side of the simulator: listen, go down and come back on the same port, close. */
export class SimulatorServer {
  readonly #server: Server
  readonly #state: SimulatorState
  readonly #protocol: 'http' | 'https'
  #host = '127.0.0.1'
  #port = 0
  #listening = false

  constructor (state: SimulatorState, tls: SimulatorOptions['tls']) {
    this.#state = state
    const listener = createRequestListener(state)
    this.#protocol = tls === undefined ? 'http' : 'https'
    this.#server = tls === undefined
      ? createHttpServer({ keepAlive: true }, listener)
      : createHttpsServer({ key: tls.key, cert: tls.cert, keepAlive: true }, listener)
  }

  get port (): number {
    return this.#port
  }

  get url (): string {
    return this.#state.baseUrl
  }

  async listen (port = 0, host = '127.0.0.1'): Promise<string> {
    await this.#listenOn(port, host)
    this.#host = host
    this.#port = (this.#server.address() as AddressInfo).port
    const urlHost = host.includes(':') ? `[${host}]` : host
    this.#state.baseUrl = `${this.#protocol}://${urlHost}:${this.#port}${this.#state.contextPath}`
    return this.#state.baseUrl
  }

  /** Down: new connections are refused and open ones destroyed. Up: listen again on the same port. */
  async setDown (down: boolean): Promise<void> {
    if (down) await this.close()
    else if (!this.#listening) await this.#listenOn(this.#port, this.#host)
  }

  async close (): Promise<void> {
    if (!this.#listening) return
    this.#listening = false
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()))
    this.#server.closeAllConnections()
    await closed
  }

  async #listenOn (port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err)
      this.#server.once('error', onError)
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError)
        resolve()
      })
    })
    this.#listening = true
  }
}

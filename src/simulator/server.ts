import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { SimulatorOptions } from './types.js'

/**
 * A listening side of the simulator (a Jira node, or the balancer in front of several): listen,
 * go down and come back on the same port, close.
 */
export class SimulatorServer {
  readonly #server: Server
  readonly #protocol: 'http' | 'https'
  #host = '127.0.0.1'
  #port = 0
  #listening = false

  constructor (listener: (req: IncomingMessage, res: ServerResponse) => void, tls: SimulatorOptions['tls']) {
    this.#protocol = tls === undefined ? 'http' : 'https'
    this.#server = tls === undefined
      ? createHttpServer({ keepAlive: true }, listener)
      : createHttpsServer({ key: tls.key, cert: tls.cert, keepAlive: true }, listener)
  }

  get port (): number {
    return this.#port
  }

  /** Resolves the origin listened on, e.g. `http://127.0.0.1:8090`. */
  async listen (port = 0, host = '127.0.0.1'): Promise<string> {
    await this.#listenOn(port, host)
    this.#host = host
    this.#port = (this.#server.address() as AddressInfo).port
    const urlHost = host.includes(':') ? `[${host}]` : host
    return `${this.#protocol}://${urlHost}:${this.#port}`
  }

  get listening (): boolean {
    return this.#listening
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

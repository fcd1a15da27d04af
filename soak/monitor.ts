import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, type Dispatcher, request } from 'undici'
import { sampleProcess } from './proxy-process.js'

/** One reading of the proxy's resources. */
export interface ResourceSample {
  /** Milliseconds since the run started. */
  tMs: number
  phase: string
  rssBytes: number | undefined
  /** From the proxy's own Prometheus process metrics, when it exports them. */
  heapUsedBytes: number | undefined
  fds: number | undefined
  sockets: number | undefined
  inFlight: number
}

export interface HealthTally {
  polls: number
  ok: number
  failures: number
  maxMs: number
  examples: string[]
}

const HEALTH_EVERY_MS = 250
const HEALTH_TIMEOUT_MS = 2000
const HEAP_METRIC = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})?\s+([0-9.e+]+)/m

/**
 * Watches the proxy from outside while the soak runs: `/_proxy/healthz` every 250 ms on its own
 * connection, and the process's RSS, open descriptors and sockets (/proc) plus its heap (its
 * metrics endpoint) every second.
 */
export class Monitor {
  readonly health: HealthTally = { polls: 0, ok: 0, failures: 0, maxMs: 0, examples: [] }
  readonly samples: ResourceSample[] = []
  readonly #url: string
  readonly #pid: number
  readonly #clock: () => number
  readonly #inFlight: () => number
  readonly #phase: () => string
  readonly #agent = new Agent({ connections: 2, keepAliveTimeout: 60_000 })
  #running = false
  #loops: Array<Promise<void>> = []
  #heapExported: boolean | undefined

  constructor (url: string, pid: number, clock: () => number, inFlight: () => number, phase: () => string) {
    this.#url = url
    this.#pid = pid
    this.#clock = clock
    this.#inFlight = inFlight
    this.#phase = phase
  }

  /** Whether the proxy exports its heap size (undefined until the first scrape). */
  get heapExported (): boolean | undefined {
    return this.#heapExported
  }

  start (): void {
    this.#running = true
    this.#loops = [this.#healthLoop(), this.#sampleLoop()]
  }

  async stop (): Promise<void> {
    if (this.#agent.destroyed) return
    this.#running = false
    await Promise.all(this.#loops)
    await this.#agent.destroy()
  }

  /** Takes a reading now (also recorded in `samples`). */
  async sample (): Promise<ResourceSample> {
    const proc = sampleProcess(this.#pid)
    const heapUsedBytes = await this.#heap()
    const s: ResourceSample = { tMs: this.#clock(), phase: this.#phase(), ...proc, heapUsedBytes, inFlight: this.#inFlight() }
    this.samples.push(s)
    return s
  }

  async #healthLoop (): Promise<void> {
    while (this.#running) {
      const started = performance.now()
      const at = this.#clock()
      this.health.polls++
      try {
        const res = await request(`${this.#url}/_proxy/healthz`, {
          dispatcher: this.#agent as Dispatcher,
          headersTimeout: HEALTH_TIMEOUT_MS,
          bodyTimeout: HEALTH_TIMEOUT_MS
        })
        await res.body.dump()
        if (res.statusCode === 200) this.health.ok++
        else this.#healthFailure(`${(at / 1000).toFixed(2)} s: HTTP ${res.statusCode}`)
      } catch (err) {
        this.#healthFailure(`${(at / 1000).toFixed(2)} s: ${(err as { code?: string }).code ?? (err as Error).message}`)
      }
      const took = performance.now() - started
      this.health.maxMs = Math.max(this.health.maxMs, took)
      if (took < HEALTH_EVERY_MS) await sleep(HEALTH_EVERY_MS - took)
    }
  }

  #healthFailure (what: string): void {
    this.health.failures++
    if (this.health.examples.length < 12) this.health.examples.push(what)
  }

  async #sampleLoop (): Promise<void> {
    while (this.#running) {
      const started = performance.now()
      await this.sample()
      const left = 1000 - (performance.now() - started)
      // Short naps, so stop() does not wait a whole second.
      for (let slept = 0; this.#running && slept < left; slept += 100) await sleep(Math.min(100, left - slept))
    }
  }

  /**
   * The proxy's own counters at this moment (requests, token calls, retries, coalesced waiters),
   * series name with labels -> value; process metrics and histogram buckets left out.
   */
  async counters (): Promise<Record<string, number>> {
    const out: Record<string, number> = {}
    try {
      const { text } = await this.#metrics()
      for (const line of text.split('\n')) {
        const match = /^(bigpicture_proxy_(?:requests|token_calls|retries|coalesced_waiters)_total(?:\{[^}]*\})?)\s+([0-9.e+-]+)$/.exec(line)
        if (match !== null) out[match[1] as string] = Number(match[2])
      }
    } catch {
      // No counters: the report says so by their absence.
    }
    return out
  }

  /** One scrape of the proxy's `/_proxy/metrics`. */
  async #metrics (): Promise<{ status: number, text: string }> {
    const res = await request(`${this.#url}/_proxy/metrics`, {
      dispatcher: this.#agent as Dispatcher,
      headersTimeout: HEALTH_TIMEOUT_MS,
      bodyTimeout: HEALTH_TIMEOUT_MS
    })
    return { status: res.statusCode, text: await res.body.text() }
  }

  async #heap (): Promise<number | undefined> {
    if (this.#heapExported === false) return undefined
    try {
      const { status, text } = await this.#metrics()
      const match = status === 200 ? HEAP_METRIC.exec(text) : null
      if (status === 200) this.#heapExported = match !== null
      return match === null ? undefined : Number(match[1])
    } catch {
      return undefined
    }
  }
}

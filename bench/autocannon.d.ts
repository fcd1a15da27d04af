// The package ships no types; this declares only the part of its API the benchmark uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  interface Options {
    url: string
    connections?: number
    duration?: number
    amount?: number
    method?: string
    headers?: Record<string, string>
    /** Each connection sends these in turn, round and round; their headers go over `headers`. */
    requests?: Array<{ headers?: Record<string, string> }>
    timeout?: number
  }

  interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p99: number
  }

  interface Result {
    requests: Histogram
    latency: Histogram
    duration: number
    errors: number
    timeouts: number
    non2xx: number
  }

  /** Emits `response` (client, statusCode, bytes, milliseconds) for every answer. */
  type Instance = EventEmitter

  function autocannon (options: Options, callback: (err: Error | null, result: Result) => void): Instance
  export default autocannon
  export type { Options, Result }
}

import autocannon from 'autocannon'

/**
 * One load generator in a process of its own, so two of them can load two targets at the same
 * time without sharing an event loop. Takes jobs over IPC, answers with the figures the
 * orchestrator needs.
 */
export interface LoadJob {
  url: string
  connections: number
  duration: number
  headers?: Record<string, string>
  /** Headers of a request sequence every connection cycles through (many callers on one connection). */
  sequence?: Array<Record<string, string>>
  /** Keep every response time: autocannon's histogram has 1 ms resolution, too coarse at c=1. */
  keepLatencies: boolean
}

export interface LoadResult {
  requests: number
  seconds: number
  non2xx: number
  errors: number
  timeouts: number
  /** Sorted response times in ms, when asked for. */
  latencies: number[] | undefined
}

function run (job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = []
  return new Promise((resolve, reject) => {
    const requests = job.sequence?.map((headers) => ({ headers }))
    const instance = autocannon({ url: job.url, connections: job.connections, duration: job.duration, headers: job.headers, requests }, (err, result) => {
      if (err !== null) return reject(err)
      resolve({
        requests: result.requests.total,
        seconds: result.duration,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        latencies: job.keepLatencies ? latencies.sort((a, b) => a - b) : undefined
      })
    })
    if (job.keepLatencies) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => { latencies.push(ms) })
  })
}

process.on('message', (message: { id: number, job: LoadJob }) => {
  run(message.job).then(
    (result) => process.send?.({ id: message.id, result }),
    (err: Error) => process.send?.({ id: message.id, error: err.message })
  )
})
process.on('disconnect', () => process.exit(0))
process.send?.({ ready: true })

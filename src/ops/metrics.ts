import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { type HistogramChild, HotHistogram } from './hot-histogram.js'

/** The route families a request is counted under (label `family`). */
const FAMILIES = ['bigpicture', 'jira', 'proxy'] as const

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120]

/** What the shared store reports; see `Metrics.store`. */
export interface StoreMetrics {
  up: Gauge
  errors: Counter<'op'>
}

export interface MetricsOptions {
  /** Collect Node's process metrics (`process_*`, `nodejs_*`). */
  processMetrics?: boolean
  /** The proxy's version, for `bigpicture_proxy_build_info`. */
  version: string
  /** The Node.js version (`v24.22.3`), for `bigpicture_proxy_build_info`. */
  node: string
}

/**
 * The proxy's Prometheus metrics, one registry per app instance so tests and several instances in
 * one process never share counters. Labels hold only small fixed vocabularies of snake_case words:
 * never a path, a user name or anything derived from a credential. Node's own metrics keep their
 * standard names (`process_*`, `nodejs_*`, no prefix), which stock dashboards expect.
 */
export class Metrics {
  readonly registry = new Registry()

  /**
   * Answers not yet added to `requests`, by family and status class (1xx to 5xx): a request adds
   * one here, and a scrape folds them in, so the request path never pays for prom-client's labels.
   */
  readonly #answered = new Map<string, number[]>(FAMILIES.map((family) => [family, [0, 0, 0, 0, 0]]))

  readonly requests = new Counter({
    name: 'bigpicture_proxy_requests_total',
    help: 'Requests answered, by route family (bigpicture, jira, proxy) and status class.',
    labelNames: ['family', 'status'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [family, counts] of this.#answered) {
        for (const [i, n] of counts.entries()) {
          if (n === 0) continue
          this.requests.inc({ family, status: `${i + 1}xx` }, n)
          counts[i] = 0
        }
      }
    }
  })

  readonly requestSeconds = new HotHistogram(
    'bigpicture_proxy_request_duration_seconds',
    'Time from receiving a request to sending the last byte of its answer, by route family.',
    'family', DURATION_BUCKETS, this.registry
  )

  readonly buildInfo = new Gauge({
    name: 'bigpicture_proxy_build_info',
    help: 'Always 1; the labels say which version of the proxy runs on which Node.js.',
    labelNames: ['version', 'node'] as const,
    registers: [this.registry]
  })

  readonly tokenCalls = new Counter({
    name: 'bigpicture_proxy_token_calls_total',
    help: 'Calls to Jira login and BigPicture system/auth and system/reauth, by kind and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry]
  })

  readonly retries = new Counter({
    name: 'bigpicture_proxy_retries_total',
    help: 'BigPicture requests replayed after a 401, by the status class of the replay (or "not_replayable", "gave_up").',
    labelNames: ['outcome'] as const,
    registers: [this.registry]
  })

  readonly coalesced = new Counter({
    name: 'bigpicture_proxy_coalesced_waiters_total',
    help: 'Requests that waited for a login, auth or refresh already in flight instead of starting their own.',
    registers: [this.registry]
  })

  readonly sessionRelogins = new Counter({
    name: 'bigpicture_proxy_session_relogins_total',
    help: 'Logins made again because Jira no longer knew a session the proxy had made (a cluster node failed over, Jira restarted, the session expired), by how that was found out.',
    labelNames: ['reason'] as const,
    registers: [this.registry]
  })

  readonly identities = new Gauge({
    name: 'bigpicture_proxy_identities_cached',
    help: 'Identities whose Jira session and tokens are cached.',
    registers: [this.registry]
  })

  readonly replayBytesHeld = new Gauge({
    name: 'bigpicture_proxy_replay_bytes_held',
    help: 'Bytes of request bodies held in memory for a replay after a 401, across all requests.',
    registers: [this.registry]
  })

  readonly loginStates = new Gauge({
    name: 'bigpicture_proxy_login_blocked',
    help: 'Login names the proxy is not logging in for right now, by reason (backoff, held, captcha).',
    labelNames: ['state'] as const,
    registers: [this.registry]
  })

  readonly upstreamSeconds = new HotHistogram(
    'bigpicture_proxy_upstream_duration_seconds',
    'Time from sending a request to Jira to receiving its response headers, by route family.',
    'family', DURATION_BUCKETS, this.registry
  )

  readonly tokenCallSeconds = new Histogram({
    name: 'bigpicture_proxy_token_call_duration_seconds',
    help: 'Duration of login, auth and reauth calls.',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry]
  })

  #store: StoreMetrics | undefined

  /**
   * The shared store's metrics, registered on first use (when a store is configured): a proxy
   * without `STORE_URL` must not report a store that is down.
   */
  get store (): StoreMetrics {
    return (this.#store ??= {
      up: new Gauge({
        name: 'bigpicture_proxy_store_up',
        help: 'Whether the shared store (STORE_URL) answered its last call: 1 yes, 0 no (replicas go on from local state).',
        registers: [this.registry]
      }),
      errors: new Counter({
        name: 'bigpicture_proxy_store_errors_total',
        help: 'Shared store calls that failed or timed out and were answered from local state, by operation.',
        labelNames: ['op'] as const,
        registers: [this.registry]
      })
    })
  }

  constructor (options: MetricsOptions) {
    this.buildInfo.set({ version: options.version, node: options.node }, 1)
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry })
  }

  /**
   * Counts one answered request and its duration. Each family's tallies are looked up once here,
   * not on every request.
   */
  requestRecorder (): (family: string, status: number, seconds: number) => void {
    interface Tallies { family: string, answered: number[], duration: HistogramChild }
    const tallies = new Map<string, Tallies>()
    for (const [family, answered] of this.#answered) tallies.set(family, { family, answered, duration: this.requestSeconds.labels(family) })
    // A path refused as invalid is counted with Jira's: the caller meant Jira.
    const jira = tallies.get('jira') as Tallies
    return (family, status, seconds) => {
      const t = tallies.get(family) ?? jira
      const statusClass = Math.floor(status / 100)
      if (statusClass >= 1 && statusClass <= 5) t.answered[statusClass - 1]++
      else this.requests.inc({ family: t.family, status: `${statusClass}xx` })
      t.duration.observe(seconds)
    }
  }

  /** Records one login/auth/reauth call. */
  tokenCall (kind: string, outcome: string, seconds: number): void {
    this.tokenCalls.inc({ kind, outcome })
    this.tokenCallSeconds.observe({ kind }, seconds)
  }
}

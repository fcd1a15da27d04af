import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * The proxy's Prometheus metrics, one registry per app instance so tests and several instances in
 * one process never share counters. Labels hold only small fixed vocabularies: never a path, a
 * user name or anything derived from a credential.
 */
export class Metrics {
  readonly registry = new Registry()

  readonly requests = new Counter({
    name: 'bigpicture_proxy_requests_total',
    help: 'Requests answered, by route family (bigpicture, jira, proxy) and status class.',
    labelNames: ['family', 'status'] as const,
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

  readonly upstreamSeconds = new Histogram({
    name: 'bigpicture_proxy_upstream_duration_seconds',
    help: 'Time from sending a request to Jira to receiving its response headers, by route family.',
    labelNames: ['family'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [this.registry]
  })

  readonly tokenCallSeconds = new Histogram({
    name: 'bigpicture_proxy_token_call_duration_seconds',
    help: 'Duration of login, auth and reauth calls.',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry]
  })

  constructor (options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'bigpicture_proxy_' })
  }

  /** Records one login/auth/reauth call. */
  tokenCall (kind: string, outcome: string, seconds: number): void {
    this.tokenCalls.inc({ kind, outcome })
    this.tokenCallSeconds.observe({ kind }, seconds)
  }
}

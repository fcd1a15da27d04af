/** Everything the clients saw, kept as counters and digests so a long run's memory stays flat. */

export type Op = 'login' | 'list' | 'box' | 'task' | 'task-medium' | 'task-large' | 'myself' | 'upload' | 'slow'

export type InvariantName =
  | 'accepted-posts-reach-jira-once'
  | 'no-body-doubled'
  | 'uploads-intact'
  | 'identities-never-mix'
  | 'no-fixable-401'
  | 'proxy-errors-are-coded-json'
  | 'proxy-errors-only-under-faults'
  | 'every-request-answered'
  | 'token-calls-bounded'
  | 'no-failed-logins-or-captcha'
  | 'memory-bounded'
  | 'sockets-return-to-baseline'
  | 'healthz-always-200'

/** A check's tally: how often it was applied, how often it failed, the first failures in words. */
export interface Tally {
  checked: number
  violations: number
  examples: string[]
}

const MAX_EXAMPLES = 12

/** A task body the clients sent; `status` is what the client saw (undefined: no answer). */
export interface SentTask {
  sha256: string
  bytes: number
  identity: string
  user: string
  app: string
  status: number | undefined
  outcome: string
  streamed: boolean
}

export interface SentUpload {
  bytes: number
  identity: string
  user: string
  status: number | undefined
  outcome: string
}

export class Ledger {
  readonly outcomes = new Map<string, number>()
  readonly byOp = new Map<Op, Map<string, number>>()
  readonly latencyMs = new Map<Op, number[]>()
  readonly tallies = new Map<InvariantName, Tally>()
  readonly tasks = new Map<string, SentTask>()
  readonly uploads = new Map<string, SentUpload>()
  /** Observations that are not invariants but a reader should see. */
  readonly notes = new Map<string, number>()
  started = 0
  shed = 0

  tally (name: InvariantName): Tally {
    let t = this.tallies.get(name)
    if (t === undefined) {
      t = { checked: 0, violations: 0, examples: [] }
      this.tallies.set(name, t)
    }
    return t
  }

  /** Counts one application of a check; `failure` (a sentence) marks it violated. */
  check (name: InvariantName, failure: string | undefined): void {
    const t = this.tally(name)
    t.checked++
    if (failure === undefined) return
    t.violations++
    if (t.examples.length < MAX_EXAMPLES) t.examples.push(failure)
  }

  note (what: string, n = 1): void {
    this.notes.set(what, (this.notes.get(what) ?? 0) + n)
  }

  /** Records one finished request. `latencyMs` is left out for requests the client aborted. */
  outcome (op: Op, label: string, latencyMs: number | undefined): void {
    this.outcomes.set(label, (this.outcomes.get(label) ?? 0) + 1)
    let m = this.byOp.get(op)
    if (m === undefined) {
      m = new Map()
      this.byOp.set(op, m)
    }
    m.set(label, (m.get(label) ?? 0) + 1)
    if (latencyMs === undefined) return
    let l = this.latencyMs.get(op)
    if (l === undefined) {
      l = []
      this.latencyMs.set(op, l)
    }
    l.push(latencyMs)
  }
}

/** The q-quantile (0..1) of `values` by nearest rank; undefined for none. */
export function quantile (values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]
}

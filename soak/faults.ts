import { setTimeout as sleep } from 'node:timers/promises'
import type { SimulatorControl } from '../src/simulator/index.js'
import type { Phases } from './options.js'
import type { Random } from './random.js'

export type FaultName =
  | 'revoke-auth-tokens' | 'revoke-all-tokens' | 'expire-sessions' | 'expire-some-sessions'
  | 'auth-500' | 'auth-garbage' | 'reauth-fail' | 'reauth-500' | 'latency-spike' | 'jira-down' | 'node-down' | 'store-down'

/**
 * A token or session event: what makes tokens or sessions die at once. `users` undefined means
 * everyone. Counted per identity in the token-call bound.
 */
export interface TokenEvent {
  kind: 'revoke-auth' | 'revoke-all' | 'expire-sessions'
  users: string[] | undefined
}

/** One fault as it actually happened, in milliseconds since the run started. */
export interface FaultRecord {
  name: FaultName
  startMs: number
  /** Undefined while a window is still open; equal to `startMs` for an instant fault. */
  endMs: number | undefined
  events: TokenEvent[]
  detail: string
}

interface FaultKind {
  name: FaultName
  windowed: boolean
  /** While it lasts a fresh token may be impossible to get (so a refused request is excusable). */
  blocksRefresh: boolean
  /** While it lasts system/auth fails, so every request needing a token may cost a call. */
  failsAuth: boolean
  /**
   * Only its start disturbs requests (a crash); for the rest of its window the system works
   * without what it took away, so nothing after the start is excused by it.
   */
  disturbsAtStartOnly?: boolean
  start (control: SimulatorControl, pick: Picks): { events: TokenEvent[], detail: string, node?: number } | Promise<{ events: TokenEvent[], detail: string, node?: number }>
  end? (control: SimulatorControl, node: number | undefined, pick: Picks): void | Promise<void>
}

/** The replicas' shared store, as far as a fault needs it. */
export interface StoreControl {
  kill (): Promise<void>
  start (): Promise<void>
  readonly up: boolean
}

/**
 * What a fault may act on besides the simulator, and the random choices it makes when it starts:
 * a few users, one node of the cluster, the shared store.
 */
interface Picks {
  users: () => string[]
  node: () => number
  store: StoreControl | undefined
}

/** The delay a latency spike adds to every Jira answer. */
export const LATENCY_SPIKE_MS = 700

const KINDS: readonly FaultKind[] = [
  {
    name: 'revoke-auth-tokens', windowed: false, blocksRefresh: false, failsAuth: false,
    start: (c) => { c.revokeAuthTokens(); return { events: [{ kind: 'revoke-auth', users: undefined }], detail: 'every authentication JWT revoked (refresh tokens still good)' } }
  },
  {
    name: 'auth-500', windowed: true, blocksRefresh: true, failsAuth: true,
    start: (c) => {
      c.revokeAllTokens()
      c.setAuthMode('error500')
      return { events: [{ kind: 'revoke-all', users: undefined }], detail: 'every JWT revoked, then system/auth answers 500' }
    },
    end: (c) => c.setAuthMode('ok')
  },
  {
    name: 'expire-sessions', windowed: false, blocksRefresh: false, failsAuth: false,
    start: (c) => { c.expireSessions(); return { events: [{ kind: 'expire-sessions', users: undefined }], detail: 'every Jira session killed' } }
  },
  {
    name: 'reauth-fail', windowed: true, blocksRefresh: false, failsAuth: false,
    start: (c) => { c.setReauthMode('fail'); return { events: [], detail: 'system/reauth answers 401' } },
    end: (c) => c.setReauthMode('ok')
  },
  {
    name: 'latency-spike', windowed: true, blocksRefresh: false, failsAuth: false,
    start: (c) => { c.setLatency(LATENCY_SPIKE_MS); return { events: [], detail: `every Jira answer delayed ${LATENCY_SPIKE_MS} ms` } },
    end: (c) => c.setLatency(0)
  },
  {
    name: 'auth-garbage', windowed: true, blocksRefresh: true, failsAuth: true,
    start: (c, pick) => {
      const users = pick.users()
      for (const user of users) c.expireSessions(user)
      c.setAuthMode('garbage')
      return { events: [{ kind: 'expire-sessions', users }], detail: `sessions of ${users.join(', ')} killed, then system/auth answers 200 with HTML` }
    },
    end: (c) => c.setAuthMode('ok')
  },
  {
    name: 'jira-down', windowed: true, blocksRefresh: true, failsAuth: false,
    start: async (c) => { await c.setDown(true); return { events: [], detail: 'Jira refuses connections (open ones cut), then listens again' } },
    end: (c) => c.setDown(false)
  },
  {
    name: 'reauth-500', windowed: true, blocksRefresh: false, failsAuth: false,
    start: (c) => {
      c.revokeAuthTokens()
      c.setReauthMode('error500')
      return { events: [{ kind: 'revoke-auth', users: undefined }], detail: 'authentication JWTs revoked, then system/reauth answers 500' }
    },
    end: (c) => c.setReauthMode('ok')
  },
  {
    name: 'revoke-all-tokens', windowed: false, blocksRefresh: false, failsAuth: false,
    start: (c) => { c.revokeAllTokens(); return { events: [{ kind: 'revoke-all', users: undefined }], detail: 'every authentication and refresh JWT revoked' } }
  },
  {
    name: 'expire-some-sessions', windowed: false, blocksRefresh: false, failsAuth: false,
    start: (c, pick) => {
      const users = pick.users()
      for (const user of users) c.expireSessions(user)
      return { events: [{ kind: 'expire-sessions', users }], detail: `sessions of ${users.join(', ')} killed` }
    }
  }
]

/**
 * A Jira node crashes and comes back at the end of the window (clusters only): its exchanges in
 * flight are cut, the balancer sends its clients to another node, and every session it held is
 * gone. Which users had sessions there is not known, so it counts as a session expiry for all.
 */
const NODE_DOWN: FaultKind = {
  name: 'node-down', windowed: true, blocksRefresh: true, failsAuth: true, disturbsAtStartOnly: true,
  start: async (c, pick) => {
    const node = pick.node()
    await c.stopNode(node)
    return { events: [{ kind: 'expire-sessions', users: undefined }], detail: `node ${node} stopped (its sessions lost, its clients moved), then started again`, node }
  },
  end: async (c, node) => { if (node !== undefined) await c.startNode(node) }
}

/**
 * The replicas' shared store is killed (everything it held lost) and started again, empty, on the
 * same port at the end of the window. The proxy fails open, so it excuses nothing: no error code,
 * no 401, no extra token call.
 */
const STORE_DOWN: FaultKind = {
  name: 'store-down', windowed: true, blocksRefresh: false, failsAuth: false,
  start: async (_c, pick) => {
    await pick.store?.kill()
    return { events: [], detail: 'the shared store (redis-server) killed, then started again empty on the same port' }
  },
  end: async (_c, _node, pick) => { await pick.store?.start() }
}

const KIND_BY_NAME = new Map([...KINDS, NODE_DOWN, STORE_DOWN].map((k) => [k.name, k]))

/** Windows whose effect may outlast the switch by a little (a request already past the check). */
export const WINDOW_GRACE_MS = 500

/** Which windows can make the proxy answer with which of its own error codes. */
const EXPLAINED_BY: Record<string, FaultName[]> = {
  UPSTREAM_UNREACHABLE: ['jira-down', 'node-down'],
  UPSTREAM_TIMEOUT: ['jira-down', 'latency-spike'],
  // A token call cut by the node's crash gets the balancer's 502.
  BIGPICTURE_AUTH_FAILED: ['auth-500', 'auth-garbage', 'node-down']
}

/** Faults that cut connections open at their start (and so may leave a request without an answer). */
const CUTS_CONNECTIONS: FaultName[] = ['jira-down', 'node-down']

interface Planned { kind: FaultKind, atMs: number, windowMs: number }

/**
 * The fault schedule: the whole catalogue in a fixed order first, then shuffled cycles, between
 * the end of warm-up and the start of cool-down. Windows last `S/12.5` (1 to 3 s) with half that
 * as a gap after every fault, so a 20-second run still sees every kind once.
 */
export class FaultSchedule {
  readonly log: FaultRecord[] = []
  readonly #control: SimulatorControl
  readonly #random: Random
  readonly #plan: Planned[]
  readonly #picks: Picks
  readonly #kinds: readonly FaultKind[]
  #stopped = false
  /** Nodes stopped by a window still open, started again by stop(). */
  readonly #nodesDown = new Set<number>()

  /** `nodes` above 1 adds the node fault to the catalogue, a `store` the store fault. */
  constructor (control: SimulatorControl, random: Random, phases: Phases, enabled: boolean, pickUsers: () => string[], nodes = 1, store?: StoreControl) {
    this.#control = control
    this.#random = random
    this.#picks = { users: pickUsers, node: () => random.int(1, nodes), store }
    // First in the fixed order, so even a short run sees a node and the store die.
    this.#kinds = [...(store === undefined ? [] : [STORE_DOWN]), ...(nodes > 1 ? [NODE_DOWN] : []), ...KINDS]
    this.#plan = enabled ? this.#makePlan(phases) : []
  }

  #makePlan (phases: Phases): Planned[] {
    const span = phases.faultsEndMs - phases.warmUpMs
    const windowMs = Math.round(Math.min(3000, Math.max(1000, span / 12.5)))
    const gapMs = Math.round(windowMs / 2)
    const plan: Planned[] = []
    let at = phases.warmUpMs
    let order: readonly FaultKind[] = this.#kinds
    for (;;) {
      for (const kind of order) {
        const length = kind.windowed ? windowMs : 0
        if (at + length > phases.faultsEndMs) return plan
        plan.push({ kind, atMs: at, windowMs: length })
        at += length + gapMs
      }
      order = this.#random.shuffle(this.#kinds)
    }
  }

  /** How many faults of each kind are planned. */
  get planned (): number {
    return this.#plan.length
  }

  /** Runs the plan against `clock` (ms since the run started); resolves after the last fault ended. */
  async run (clock: () => number): Promise<void> {
    for (const step of this.#plan) {
      const wait = step.atMs - clock()
      if (wait > 0) await sleep(wait)
      if (this.#stopped) return
      const startMs = clock()
      const { events, detail, node } = await step.kind.start(this.#control, this.#picks)
      const record: FaultRecord = { name: step.kind.name, startMs, endMs: step.kind.windowed ? undefined : startMs, events, detail }
      this.log.push(record)
      if (!step.kind.windowed) continue
      if (node !== undefined) this.#nodesDown.add(node)
      await sleep(step.windowMs)
      await step.kind.end?.(this.#control, node, this.#picks)
      if (node !== undefined) this.#nodesDown.delete(node)
      record.endMs = clock()
    }
  }

  /** Stops planning and puts the simulator back in order. */
  async stop (): Promise<void> {
    this.#stopped = true
    this.#control.setAuthMode('ok')
    this.#control.setReauthMode('ok')
    this.#control.setLatency(0)
    await this.#control.setDown(false)
    for (const node of this.#nodesDown) await this.#control.startNode(node)
    this.#nodesDown.clear()
    const store = this.#picks.store
    if (store !== undefined && !store.up) await store.start()
  }

  /**
   * Faults that overlapped [startMs, endMs] (windows widened by the grace) and match `which`. A
   * crash counts at its start only.
   */
  overlapping (startMs: number, endMs: number, which: (kind: { blocksRefresh: boolean, failsAuth: boolean, name: FaultName }) => boolean): FaultRecord[] {
    const out: FaultRecord[] = []
    for (const f of this.log) {
      const kind = KIND_BY_NAME.get(f.name) as FaultKind
      if (!kind.windowed || !which(kind)) continue
      const fEnd = (kind.disturbsAtStartOnly === true ? f.startMs : f.endMs ?? Number.POSITIVE_INFINITY) + WINDOW_GRACE_MS
      if (f.startMs - WINDOW_GRACE_MS <= endMs && fEnd >= startMs) out.push(f)
    }
    return out
  }

  /** Whether a refresh-blocking window overlapped the interval. */
  refreshBlocked (startMs: number, endMs: number): boolean {
    return this.overlapping(startMs, endMs, (k) => k.blocksRefresh).length > 0
  }

  /** Whether a window in which system/auth fails overlapped the interval. */
  authFailing (startMs: number, endMs: number): boolean {
    return this.overlapping(startMs, endMs, (k) => k.failsAuth).length > 0
  }

  /**
   * The fault that explains a proxy error code over the interval, if any: unreachable while Jira
   * was down, timeouts while Jira was down or slow, auth failures while system/auth was broken.
   */
  explains (code: string, startMs: number, endMs: number): FaultRecord | undefined {
    const kinds = EXPLAINED_BY[code]
    if (kinds === undefined) return undefined
    return this.overlapping(startMs, endMs, (k) => kinds.includes(k.name))[0]
  }

  /** Whether Jira, or the node a request was on, was down at some point of the interval. */
  connectionsCut (startMs: number, endMs: number): boolean {
    return this.overlapping(startMs, endMs, (k) => CUTS_CONNECTIONS.includes(k.name)).length > 0
  }

  /** Whether a node crashed during the interval (the balancer answers 502 for exchanges it cut). */
  nodeCrashed (startMs: number, endMs: number): boolean {
    return this.overlapping(startMs, endMs, (k) => k.name === 'node-down').length > 0
  }

  /** The latest session expiry hitting `user` at or after `sinceMs`, if any. */
  sessionExpiredSince (user: string, sinceMs: number): FaultRecord | undefined {
    for (let i = this.log.length - 1; i >= 0; i--) {
      const f = this.log[i] as FaultRecord
      if (f.startMs < sinceMs) break
      if (f.events.some((e) => e.kind === 'expire-sessions' && (e.users === undefined || e.users.includes(user)))) return f
    }
    return undefined
  }

  /** Token and session events that hit `user`. */
  eventsFor (user: string): TokenEvent[] {
    const out: TokenEvent[] = []
    for (const f of this.log) for (const e of f.events) if (e.users === undefined || e.users.includes(user)) out.push(e)
    return out
  }
}

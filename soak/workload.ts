import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { Agent, type Dispatcher, request } from 'undici'
import { credentialKey, shortKey } from '../src/identity/hash.js'
import { BIGPICTURE_APPS } from '../src/simulator/index.js'
import { MAX_UPLOAD_BYTES, sha256, streamOf, taskBody, uploadBody } from './bodies.js'
import { type FaultSchedule, LATENCY_SPIKE_MS } from './faults.js'
import { type CookieSession, type IdentityKind, type SoakIdentity, credentialHeaders, jarHeader, keepCookies } from './identities.js'
import type { Ledger, Op } from './ledger.js'
import type { SoakOptions } from './options.js'
import type { Random } from './random.js'
import { SOAK_ID_HEADER, WireTracker } from './wire.js'

export interface WorkloadContext {
  /** The proxy replicas; each request goes to one picked at random, as a balancer without affinity would. */
  proxyUrls: readonly string[]
  identities: readonly SoakIdentity[]
  ledger: Ledger
  faults: FaultSchedule
  random: Random
  /** Milliseconds since the run started. */
  clock: () => number
  options: SoakOptions
  /** In a cluster, the balancer's port: a request reaches Jira where a node sees it, not at the balancer. */
  balancerPort?: number | undefined
}

/** How often each kind of identity is picked for a request. */
const KIND_WEIGHTS: Record<IdentityKind, number> = { cookie: 30, basic: 25, pat: 25, service: 20 }

/** The request mix, in relative weights. */
const OP_WEIGHTS: Record<Exclude<Op, 'login'>, number> = {
  list: 300,
  box: 150,
  task: 260,
  'task-medium': 15,
  'task-large': 6,
  myself: 150,
  upload: 12,
  slow: 40
}

const ABORT_PROBABILITY = 0.03
/**
 * Far above the proxy's worst case (a few upstream timeouts in a row): a request not answered by
 * then hangs, and the client gives up on it (a deadline over the whole exchange, queueing and
 * sending included, so a stuck connection cannot hold its memory for the rest of a long run).
 */
const CLIENT_TIMEOUT_MS = 60_000
/** How long a killed Jira session may go unnoticed by the proxy while other requests find out. */
const SESSION_NEWS_MS = 1000
const GAVE_UP = 'CLIENT_GAVE_UP_AFTER_60_S'

type AbortMode = 'none' | 'while-sending' | 'while-waiting'

interface Prepared {
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body: Buffer | undefined
  /** Send the body as a chunked stream (no content-length) rather than in one piece. */
  chunked: boolean
  app: number | undefined
  soakId: string | undefined
  issueKey: string | undefined
  abort: AbortMode
  abortAfterMs: number
}

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  text: string
}

/**
 * The clients: an open-loop generator that starts `rps` requests a second whatever the proxy's
 * speed (shedding beyond `maxInFlight`), each from a random identity doing a random operation,
 * every answer checked the moment it arrives.
 */
export class Workload {
  readonly #ctx: WorkloadContext
  readonly #agent: Agent
  readonly #inFlight = new Set<Promise<void>>()
  /** Requests sent and not yet answered, kept to describe them should they hang. */
  readonly #pending = new Map<number, () => string>()
  readonly #wire: WireTracker
  #pendingId = 0
  #closing = false
  readonly #byKind: Record<IdentityKind, SoakIdentity[]>
  #timer: NodeJS.Timeout | undefined
  #startedAt = 0
  #launched = 0
  #sequence = 0

  constructor (ctx: WorkloadContext) {
    this.#ctx = ctx
    this.#wire = new WireTracker(ctx.clock, ctx.balancerPort)
    this.#agent = new Agent({ connections: 256, keepAliveTimeout: 10_000, pipelining: 1 })
    this.#byKind = { cookie: [], basic: [], pat: [], service: [] }
    for (const identity of ctx.identities) this.#byKind[identity.kind].push(identity)
  }

  #proxyUrl (): string {
    const urls = this.#ctx.proxyUrls
    // One proxy: no random draw, so a seed replays the same run as before replicas existed.
    return urls.length === 1 ? urls[0] as string : this.#ctx.random.pick(urls)
  }

  get inFlight (): number {
    return this.#inFlight.size
  }

  start (): void {
    this.#wire.start()
    this.#startedAt = performance.now()
    this.#timer = setInterval(() => this.#tick(), 10)
  }

  /**
   * Stops starting requests and waits for those in flight (at most `waitMs`); returns the ones
   * that never got an answer, described (request, identity, start, the proxy's log label).
   */
  async stop (waitMs: number): Promise<string[]> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
    const deadline = performance.now() + waitMs
    while (this.#inFlight.size > 0 && performance.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.#inFlight]), new Promise((resolve) => setTimeout(resolve, 250))])
    }
    return [...this.#pending].map(([id, what]) => `${what()}; on the wire: ${this.#wire.describe(String(id))}`)
  }

  /** Closes the clients' connections to the proxy; requests still pending end as unanswered. */
  async close (): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    await this.#agent.destroy()
    await Promise.allSettled([...this.#inFlight])
    this.#wire.stop()
  }

  #tick (): void {
    const { rps, maxInFlight } = this.#ctx.options
    const due = Math.floor(((performance.now() - this.#startedAt) / 1000) * rps) - this.#launched
    for (let i = 0; i < due; i++) {
      this.#launched++
      if (this.#inFlight.size >= maxInFlight) {
        this.#ctx.ledger.shed++
        continue
      }
      const identity = this.#pickIdentity()
      const op = this.#ctx.random.weighted(OP_WEIGHTS)
      const p = this.#perform(identity, op).catch((err: unknown) => {
        this.#ctx.ledger.note(`soak-side error: ${(err as Error).message}`)
      })
      this.#inFlight.add(p)
      void p.finally(() => this.#inFlight.delete(p))
    }
  }

  #pickIdentity (): SoakIdentity {
    const { random } = this.#ctx
    return random.pick(this.#byKind[random.weighted(KIND_WEIGHTS)])
  }

  async #perform (identity: SoakIdentity, op: Exclude<Op, 'login'>): Promise<void> {
    const { ledger, clock } = this.#ctx
    ledger.started++
    let session: CookieSession | undefined
    if (identity.kind === 'cookie') {
      session = identity.session ?? await this.#login(identity)
      if (session === undefined) {
        ledger.outcome(op, 'not sent: cookie client has no session (its login failed)', undefined)
        return
      }
    }
    const prepared = this.#prepare(identity, op, session)
    const startMs = clock()
    const controller = new AbortController()
    let aborted = false
    const abort = (): void => {
      aborted = true
      controller.abort()
    }
    let timer: NodeJS.Timeout | undefined
    if (prepared.abort === 'while-waiting') timer = setTimeout(abort, prepared.abortAfterMs)
    let gaveUp = false
    const deadline = setTimeout(() => {
      gaveUp = true
      controller.abort()
    }, CLIENT_TIMEOUT_MS)
    let body: Buffer | Readable | undefined = prepared.body
    if (body !== undefined && (prepared.chunked || prepared.abort === 'while-sending')) {
      body = streamOf(body, prepared.abort === 'while-sending' ? abort : undefined)
    }
    const pendingId = ++this.#pendingId
    const headers: Record<string, string> = { ...prepared.headers, [SOAK_ID_HEADER]: String(pendingId) }
    if (prepared.body !== undefined && !prepared.chunked) headers['content-length'] = String(prepared.body.length)
    this.#wire.track(String(pendingId))

    let answer: Answer | undefined
    let failure: { code: string } | undefined
    let arrivals: number[] = []
    this.#pending.set(pendingId, () => `${op} ${prepared.method} ${prepared.path} by ${identity.id} (proxy log label ${proxyLabel(identity, session)}) started at ${(startMs / 1000).toFixed(2)} s`)
    try {
      const res = await request(this.#proxyUrl() + prepared.path, {
        dispatcher: this.#agent as Dispatcher,
        method: prepared.method,
        headers,
        body,
        signal: controller.signal,
        headersTimeout: CLIENT_TIMEOUT_MS,
        bodyTimeout: CLIENT_TIMEOUT_MS
      })
      const text = await res.body.text()
      answer = { status: res.statusCode, headers: res.headers, text }
      if (identity.kind === 'cookie') keepCookies(identity.jar, res.headers['set-cookie'])
    } catch (err) {
      failure = { code: gaveUp ? GAVE_UP : errorCode(err) }
    } finally {
      if (timer !== undefined) clearTimeout(timer)
      clearTimeout(deadline)
      this.#pending.delete(pendingId)
      arrivals = this.#wire.take(String(pendingId))?.arrivals ?? []
    }
    const endMs = clock()
    if (this.#closing && answer === undefined) {
      // Reported once, as hung, by stop().
      this.#ctx.ledger.outcome(op, 'no answer: still pending when the run ended', undefined)
      return
    }
    this.#account(identity, op, prepared, session, startMs, endMs, aborted && !gaveUp && answer === undefined ? 'aborted' : answer ?? failure as { code: string }, arrivals)
  }

  #prepare (identity: SoakIdentity, op: Exclude<Op, 'login'>, session: CookieSession | undefined): Prepared {
    const { random, options } = this.#ctx
    const headers: Record<string, string> = { accept: 'application/json', ...credentialHeaders(identity, session) }
    const app = random.int(0, BIGPICTURE_APPS.length - 1)
    const root = `/rest/${BIGPICTURE_APPS[app] as string}/1.0`
    const base: Prepared = {
      method: 'GET', path: '', headers, body: undefined, chunked: false, app: undefined,
      soakId: undefined, issueKey: undefined, abort: 'none', abortAfterMs: 0
    }
    const aborting = random.chance(ABORT_PROBABILITY) && options.clientAborts
    const waitAbort = (max: number): Pick<Prepared, 'abort' | 'abortAfterMs'> =>
      aborting ? { abort: 'while-waiting', abortAfterMs: random.int(1, max) } : { abort: 'none', abortAfterMs: 0 }
    switch (op) {
      case 'list':
        return { ...base, path: `${root}/box`, app, ...waitAbort(100) }
      case 'box':
        return { ...base, path: `${root}/box/${random.int(1, 3)}`, app, ...waitAbort(100) }
      case 'slow':
        return { ...base, path: `${root}/slow?ms=${random.int(200, 1500)}`, app, ...waitAbort(1200) }
      case 'myself':
        return { ...base, path: '/rest/api/2/myself', ...waitAbort(100) }
      case 'task':
      case 'task-medium':
      case 'task-large': {
        const soakId = `t${++this.#sequence}-${identity.id}`
        const cap = options.maxReplayBodyBytes
        const bytes = op === 'task' ? random.int(200, 4000)
          : op === 'task-medium' ? random.int(64 * 1024, Math.floor(cap * 0.9))
            : random.int(cap + 64 * 1024, cap * 2)
        const body = taskBody(soakId, identity.id, BIGPICTURE_APPS[app] as string, bytes, random.int(0, 1 << 20))
        const chunked = op !== 'task' && random.chance(0.5)
        this.#ctx.ledger.tasks.set(soakId, {
          sha256: sha256(body), bytes: body.length, identity: identity.id, user: identity.user,
          app: BIGPICTURE_APPS[app] as string, status: undefined, outcome: 'pending', streamed: body.length > cap
        })
        if (body.length > cap) identity.bigPicture.streamed++
        const abort = aborting && op !== 'task' && random.chance(0.5) ? { abort: 'while-sending' as const, abortAfterMs: 0 } : waitAbort(op === 'task' ? 50 : 300)
        return {
          ...base, method: 'POST', path: `${root}/box/${random.int(1, 3)}/task`, app, soakId, chunked, body,
          headers: { ...headers, 'content-type': 'application/json' }, ...abort
        }
      }
      case 'upload': {
        const issueKey = `SOAK-${++this.#sequence}`
        const bytes = random.int(1024 * 1024, MAX_UPLOAD_BYTES)
        this.#ctx.ledger.uploads.set(issueKey, { bytes, identity: identity.id, user: identity.user, status: undefined, outcome: 'pending' })
        return {
          ...base, method: 'POST', path: `/rest/api/2/issue/${issueKey}/attachments`, issueKey,
          body: uploadBody(bytes), chunked: random.chance(0.5),
          headers: { ...headers, 'content-type': 'application/octet-stream', 'x-atlassian-token': 'no-check' },
          ...(aborting ? { abort: 'while-sending' as const, abortAfterMs: 0 } : { abort: 'none' as const, abortAfterMs: 0 })
        }
      }
    }
  }

  /** A cookie client logs in through the proxy; concurrent requests of the client share one login. */
  #login (identity: SoakIdentity): Promise<CookieSession | undefined> {
    if (identity.loginFlight !== undefined) return identity.loginFlight
    const flight = this.#doLogin(identity).finally(() => { identity.loginFlight = undefined })
    identity.loginFlight = flight
    return flight
  }

  async #doLogin (identity: SoakIdentity): Promise<CookieSession | undefined> {
    const { ledger, clock } = this.#ctx
    identity.loginAttempts++
    const startMs = clock()
    let answer: Answer | { code: string }
    try {
      const res = await request(`${this.#proxyUrl()}/rest/auth/1/session`, {
        dispatcher: this.#agent as Dispatcher,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...jarHeader(identity) },
        body: JSON.stringify({ username: identity.user, password: identity.password }),
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
        headersTimeout: CLIENT_TIMEOUT_MS,
        bodyTimeout: CLIENT_TIMEOUT_MS
      })
      answer = { status: res.statusCode, headers: res.headers, text: await res.body.text() }
      keepCookies(identity.jar, res.headers['set-cookie'])
    } catch (err) {
      answer = { code: (err as Error).name === 'TimeoutError' ? GAVE_UP : errorCode(err) }
    }
    const endMs = clock()
    const login: Prepared = {
      method: 'POST', path: '/rest/auth/1/session', headers: {}, body: undefined, chunked: false, app: undefined,
      soakId: undefined, issueKey: undefined, abort: 'none', abortAfterMs: 0
    }
    this.#account(identity, 'login', login, undefined, startMs, endMs, answer, [])
    if (!('status' in answer) || answer.status !== 200) return undefined
    const fromCookie = sessionFromSetCookie(answer.headers['set-cookie'])
    let id = fromCookie
    if (id === undefined) {
      ledger.note('cookie login through the proxy answered 200 without a JSESSIONID Set-Cookie (session id taken from the JSON body)')
      try {
        id = (JSON.parse(answer.text) as { session?: { value?: string } }).session?.value
      } catch {
        id = undefined
      }
    }
    if (id === undefined) return undefined
    identity.loginSuccesses++
    identity.session = { id, loginStartedMs: startMs }
    return identity.session
  }

  /** Every check that can be made on one answer, then the outcome and latency. */
  /** `arrivals`: when the proxy's attempts for this request reached Jira (ms since the run started). */
  #account (identity: SoakIdentity, op: Op, p: Prepared, session: CookieSession | undefined, startMs: number, endMs: number, result: Answer | { code: string } | 'aborted', arrivals: number[]): void {
    const { ledger, faults } = this.#ctx
    const task = p.soakId === undefined ? undefined : ledger.tasks.get(p.soakId)
    const upload = p.issueKey === undefined ? undefined : ledger.uploads.get(p.issueKey)
    if (p.app !== undefined) {
      const bp = identity.bigPicture
      bp.requests++
      bp.firstMs ??= startMs
      bp.apps.add(p.app)
      if (faults.authFailing(startMs, endMs)) bp.inAuthFailureWindows++
    }
    const where = `${op} ${p.method} ${p.path} by ${identity.id} at ${(startMs / 1000).toFixed(2)}-${(endMs / 1000).toFixed(2)} s`

    if (result === 'aborted') {
      if (task !== undefined) task.outcome = 'aborted by the client'
      if (upload !== undefined) upload.outcome = 'aborted by the client'
      ledger.outcome(op, `aborted by the client (${p.abort})`, undefined)
      return
    }
    if (!('status' in result)) {
      if (task !== undefined) task.outcome = `no answer (${result.code})`
      if (upload !== undefined) upload.outcome = `no answer (${result.code})`
      const down = faults.connectionsCut(startMs, endMs)
      const timeout = result.code.includes('TIMEOUT') || result.code === GAVE_UP
      ledger.check('every-request-answered', down && !timeout ? undefined : `${where}: no HTTP answer (${result.code})${timeout ? ': a timeout is never excused' : ', and no Jira outage overlapped'}`)
      ledger.outcome(op, `no answer: ${result.code}${down && !timeout ? ' (Jira down)' : ''}`, endMs - startMs)
      return
    }
    ledger.check('every-request-answered', undefined)

    const { status, headers, text } = result
    // Only the proxy's own answers can be coded errors, and those are small and not 2xx.
    const spec = status >= 300 && text.length < 8192 ? specError(text) : undefined
    let label = spec === undefined ? String(status) : `${status} ${spec.code}`

    // Whose answer is it? BigPicture and Jira name the user they saw in X-AUSERNAME.
    const seenAs = header(headers['x-ausername'])
    if (seenAs !== undefined && seenAs !== 'anonymous' && !(op === 'login' && status !== 200)) {
      ledger.check('identities-never-mix', seenAs === identity.user ? undefined : `${where}: answered for ${seenAs}, not ${identity.user}`)
    }
    if (op === 'myself' && status === 200) {
      const name = jsonField(text, 'name')
      ledger.check('identities-never-mix', name === identity.user ? undefined : `${where}: /myself says ${String(name)}, not ${identity.user}`)
    }

    if (status >= 500) {
      // The balancer's own page for an exchange a node's crash cut, relayed as Jira's answer.
      const balancer = spec === undefined && isBalancerPage(status, text) && faults.nodeCrashed(startMs, endMs)
      if (balancer) label = `${status} from the balancer: its node crashed`
      ledger.check('proxy-errors-are-coded-json', spec !== undefined || balancer ? undefined : `${where}: ${status} without the {error, code} JSON: ${text.slice(0, 160)}`)
    }
    if (spec !== undefined && status !== 401) {
      const cause = faults.explains(spec.code, startMs, endMs)
      if (cause === undefined) label = `${label} (no fault explains it)`
      ledger.check('proxy-errors-only-under-faults', cause !== undefined ? undefined : `${where}: ${status} ${spec.code} "${spec.error}" with no fault that explains it (faults in window: [${faults.overlapping(startMs, endMs, () => true).map((f) => f.name).join(', ')}])`)
    } else {
      ledger.check('proxy-errors-only-under-faults', undefined)
    }

    if (status === 401) {
      const judged = this.#judge401(identity, op, p, session, startMs, endMs, seenAs, spec, text, where, arrivals)
      label = judged.label
      ledger.check('no-fixable-401', judged.failure)
    } else {
      ledger.check('no-fixable-401', undefined)
    }

    if (task !== undefined) {
      task.status = status
      task.outcome = label
      if (status === 201) {
        const echoed = /"soakId":"([^"]+)"/.exec(text.slice(0, 200))?.[1]
        ledger.check('identities-never-mix', echoed === p.soakId ? undefined : `${where}: the 201 answer echoes task ${String(echoed)}, not ${p.soakId}`)
      }
    }
    if (upload !== undefined) {
      upload.status = status
      upload.outcome = label
      if (status === 200) {
        let size: unknown
        try {
          size = (JSON.parse(text) as Array<{ size?: unknown }>)[0]?.size
        } catch {
          size = undefined
        }
        ledger.check('uploads-intact', size === upload.bytes ? undefined : `${where}: Jira answered size ${String(size)} for ${upload.bytes} bytes sent`)
      }
    }
    ledger.outcome(op, label, endMs - startMs)
  }

  /**
   * A 401 reached the client. Allowed only when (a) a cookie client's own session was killed by a
   * fault after its login started and the 401 is Jira's (X-AUSERNAME: anonymous, Jira's body), or
   * (b) the proxy answered with its {error, code} while a fault that can make a token
   * impossible to get (system/auth broken, Jira down) overlapped the request. Anything else is a
   * 401 the proxy could have fixed. Returns the outcome label and, for a violation, a sentence.
   */
  #judge401 (identity: SoakIdentity, op: Op, p: Prepared, session: CookieSession | undefined, startMs: number, endMs: number, seenAs: string | undefined, spec: { code: string } | undefined, text: string, where: string, arrivals: number[]): { label: string, failure?: string } {
    const { faults } = this.#ctx
    if (identity.kind === 'cookie' && spec === undefined && session !== undefined) {
      // Jira's (or BigPicture's) own 401 to a cookie client: right if its session was killed.
      const expiry = faults.sessionExpiredSince(identity.user, session.loginStartedMs)
      if (expiry !== undefined || seenAs === 'anonymous') {
        // A client logs in again after a 401.
        if (identity.session?.id === session.id) identity.session = undefined
      }
      if (expiry !== undefined) return { label: '401 from Jira: cookie session killed by a fault' }
      if (seenAs === 'anonymous') {
        return {
          label: '401 UNEXPECTED: cookie session dead without a fault',
          failure: `${where}: Jira's 401 (anonymous) for a cookie session no fault killed: ${text.slice(0, 120)}`
        }
      }
    }
    if (op === 'login') {
      return { label: '401 UNEXPECTED: login refused', failure: `${where}: login through the proxy answered 401: ${text.slice(0, 120)}` }
    }
    if (spec !== undefined && faults.refreshBlocked(startMs, endMs)) return { label: `401 ${spec.code} during a refresh-blocking fault` }
    // The proxy refreshes and replays once. A revocation or session kill that lands after the first
    // attempt reached Jira can hit the replay too, and one that lands before a streamed body's only
    // attempt reaches Jira cannot be undone: fixing either would take a second retry, which the proxy
    // never makes. Where the attempts reached Jira is known (the simulator saw them), so this excuses
    // exactly those cases and not a proxy that relayed a 401 without replaying.
    const streamedBody = p.body !== undefined && p.body.length > this.#ctx.options.maxReplayBodyBytes
    const first = arrivals[0]
    const last = arrivals[arrivals.length - 1]
    // Jira checks the token after its latency: a spike moves the check up to that much later.
    const lag = faults.overlapping(startMs, endMs, (k) => k.name === 'latency-spike').length > 0 ? LATENCY_SPIKE_MS : 0
    const window: [number, number] | undefined = first === undefined || last === undefined
      ? undefined
      : arrivals.length >= 2 ? [first, last + lag] : streamedBody ? [startMs, first + lag] : undefined
    // On a plain Jira route nothing proves the proxy's session alive before a streamed upload: it
    // hears of a killed session only from another request's 401, so a kill just before the upload
    // started cannot have been known either.
    const unheard = streamedBody && op === 'upload' ? SESSION_NEWS_MS : 0
    const hit = window === undefined ? undefined : faults.log.find((f) => f.startMs <= window[1] &&
      f.events.some((e) => (e.users === undefined || e.users.includes(identity.user)) &&
        f.startMs >= window[0] - (e.kind === 'expire-sessions' ? unheard : 0)))
    if (spec === undefined && hit !== undefined) {
      return { label: `401 relayed: ${hit.name} struck ${arrivals.length >= 2 ? 'between the attempt and its replay' : 'before the streamed body reached Jira'}` }
    }
    const overlapping = faults.overlapping(startMs, endMs, () => true).map((f) => f.name)
    const recent = faults.log.filter((f) => f.endMs === f.startMs && f.startMs <= endMs && f.startMs >= startMs - 10_000).map((f) => `${f.name}@${(f.startMs / 1000).toFixed(2)}s`)
    const attempts = `reached Jira ${arrivals.length} time(s)${arrivals.length === 0 ? '' : ` at ${arrivals.map((a) => (a / 1000).toFixed(2)).join(', ')} s`}`
    const failure = `${where}${streamedBody ? ` (body ${p.body?.length} B > MAX_REPLAY_BODY_BYTES, streamed)` : ''}: 401 ${spec === undefined ? `relayed from ${seenAs === 'anonymous' ? 'Jira (anonymous)' : `BigPicture (X-AUSERNAME ${String(seenAs)})`}` : `{code: ${spec.code}}`}, ${attempts}; faults in window: [${overlapping.join(', ')}], instant faults in the 10 s before: [${recent.join(', ')}]; body: ${text.slice(0, 100)}`
    return { label: `401 UNEXPECTED: ${spec?.code ?? (seenAs === 'anonymous' ? 'Jira anonymous' : 'BigPicture token refused')}${streamedBody ? ' (streamed body)' : ''}`, failure }
  }
}

/** How the proxy's logs name this identity (a short hash of the credential), to find its lines. */
function proxyLabel (identity: SoakIdentity, session: CookieSession | undefined): string {
  switch (identity.kind) {
    case 'cookie': return `cookie:${shortKey(credentialKey('cookie', session?.id ?? ''))}`
    case 'basic': return `password:${shortKey(credentialKey('basic', `${identity.user}:${identity.password}`))}`
    case 'pat': return `pat:${shortKey(credentialKey('pat', identity.pat ?? ''))}`
    case 'service': return 'service:service'
  }
}

function header (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** The proxy's error shape, `{"error": "<sentence>", "code": "<CODE>"}`, or undefined. */
export function specError (text: string): { error: string, code: string } | undefined {
  if (!text.startsWith('{')) return undefined
  try {
    const parsed = JSON.parse(text) as { error?: unknown, code?: unknown }
    if (typeof parsed.error === 'string' && parsed.error !== '' && typeof parsed.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(parsed.code)) {
      return { error: parsed.error, code: parsed.code }
    }
  } catch {
    return undefined
  }
  return undefined
}

/** A cluster balancer's error page (nginx's words), as the simulator's balancer sends it. */
function isBalancerPage (status: number, text: string): boolean {
  return (status === 502 || status === 503) && text.startsWith('<html><head><title>50')
}

function jsonField (text: string, field: string): unknown {
  try {
    return (JSON.parse(text) as Record<string, unknown>)[field]
  } catch {
    return undefined
  }
}

function sessionFromSetCookie (value: string | string[] | undefined): string | undefined {
  for (const line of value === undefined ? [] : Array.isArray(value) ? value : [value]) {
    const match = /^\s*JSESSIONID=([^;]+)/.exec(line)
    if (match !== null) return match[1]
  }
  return undefined
}

function errorCode (err: unknown): string {
  const e = err as { code?: unknown, name?: unknown, cause?: { code?: unknown } }
  if (typeof e.code === 'string') return e.code
  if (typeof e.cause?.code === 'string') return e.cause.code
  return typeof e.name === 'string' ? e.name : 'error'
}

import t, { type Test } from 'tap'
import { ProxyError } from '../../src/errors.js'
import { type LoginAttempt, LoginGuard } from '../../src/tokens/login-guard.js'

const BASE = 1000
const HOLD = 60_000
const CAPTCHA_HOLD = 600_000

function setup (options: { maxFailures?: number } = {}): { guard: LoginGuard, clock: { now: number } } {
  const clock = { now: 1_000_000 }
  const guard = new LoginGuard({ baseDelayMs: BASE, maxFailures: options.maxFailures ?? 3, holdMs: HOLD, captchaHoldMs: CAPTCHA_HOLD, now: () => clock.now })
  return { guard, clock }
}

/** A login of `name` with the credential whose hash is `credential`. */
const as = (name: string, credential: string, trusted = false): LoginAttempt => ({ name, credential, trusted })

/** The error `check` throws, or `undefined` when the login may go ahead. */
function refusal (guard: LoginGuard, attempt: LoginAttempt): ProxyError | undefined {
  try {
    guard.check(attempt)
    return undefined
  } catch (err) {
    if (err instanceof ProxyError) return err
    throw err
  }
}

function expectRefusal (t: Test, err: ProxyError | undefined, code: string, retryAfter: string, what: string): void {
  t.ok(err, `${what}: refused`)
  t.equal(err?.code, code, `${what}: code`)
  t.equal(err?.headers?.['retry-after'], retryAfter, `${what}: Retry-After`)
}

t.test('an unknown name may log in', async (t) => {
  const { guard } = setup()
  t.equal(refusal(guard, as('alice', 'c1')), undefined)
  t.equal(guard.state('alice'), 'healthy')
  t.same(guard.counts(), { backoff: 0, held: 0, captcha: 0 })
})

t.test('a failed credential is held for the whole hold; another one waits the backoff', async (t) => {
  const { guard, clock } = setup()
  const err = guard.failed(as('alice', 'c1'))
  t.equal(err.code, 'LOGIN_FAILED')
  t.equal(err.statusCode, 401)
  t.equal(err.headers?.['retry-after'], String(HOLD / 1000))

  expectRefusal(t, refusal(guard, as('alice', 'c1')), 'LOGIN_FAILED', String(HOLD / 1000), 'same credential')
  const other = refusal(guard, as('alice', 'c2'))
  expectRefusal(t, other, 'LOGIN_BACKOFF', '1', 'different credential')
  t.equal(other?.statusCode, 503)
  t.equal(refusal(guard, as('bob', 'c3')), undefined, 'another name is not affected')
  t.equal(guard.state('alice'), 'backoff')

  clock.now += BASE - 1
  t.equal(refusal(guard, as('alice', 'c2'))?.code, 'LOGIN_BACKOFF', 'still waiting 1 ms before the end')
  clock.now += 1
  t.equal(refusal(guard, as('alice', 'c2')), undefined, 'the delay passed')
  t.equal(refusal(guard, as('alice', 'c1'))?.code, 'LOGIN_FAILED', 'the failed credential is still held')
  t.equal(guard.state('alice'), 'healthy')
  clock.now += HOLD
  t.equal(refusal(guard, as('alice', 'c1')), undefined, 'the hold ended')
})

t.test('the delay doubles with each failure, then the name is held', async (t) => {
  const { guard, clock } = setup({ maxFailures: 3 })
  for (let i = 0; i < 3; i++) {
    guard.failed(as('alice', `c${i}`))
    if (i < 2) {
      t.equal(guard.state('alice'), 'backoff', `after failure ${i + 1}`)
      t.equal(refusal(guard, as('alice', 'new'))?.headers?.['retry-after'], String(BASE * 2 ** i / 1000), `delay after failure ${i + 1}`)
      clock.now += BASE * 2 ** i
    }
  }
  t.equal(guard.state('alice'), 'held')
  expectRefusal(t, refusal(guard, as('alice', 'c9')), 'LOGIN_BACKOFF', String(HOLD / 1000), 'held, new credential')
  clock.now += HOLD - 1
  t.equal(guard.state('alice'), 'held')
  t.equal(refusal(guard, as('alice', 'c9'))?.headers?.['retry-after'], '1', 'Retry-After rounds up, never 0')
  clock.now += 1
  t.equal(refusal(guard, as('alice', 'c9')), undefined, 'the hold ended')
})

t.test('known-good credentials are not held by the name\'s failures, only by their own', async (t) => {
  const { guard } = setup({ maxFailures: 2 })
  guard.succeeded(as('svc', 'good'))
  guard.failed(as('svc', 'guess1'))
  guard.failed(as('svc', 'guess2'))
  t.equal(guard.state('svc'), 'held')
  t.equal(refusal(guard, as('svc', 'guess3'))?.code, 'LOGIN_BACKOFF', 'an unknown credential is held')
  t.equal(refusal(guard, as('svc', 'good')), undefined, 'a credential that logged in before is not')
  t.equal(refusal(guard, as('svc', 'service', true)), undefined, 'nor the configured one')
  t.ok(guard.isKnownGood(as('svc', 'good')))
  t.notOk(guard.isKnownGood(as('svc', 'guess3')))

  guard.failed(as('svc', 'service', true))
  t.equal(refusal(guard, as('svc', 'service', true))?.code, 'LOGIN_FAILED', 'the configured credential is held once it failed itself')
  guard.failed(as('svc', 'good'))
  t.notOk(guard.isKnownGood(as('svc', 'good')), 'a good credential that failed is known good no more')
  t.equal(refusal(guard, as('svc', 'good'))?.code, 'LOGIN_FAILED')
})

t.test('succeeded() clears the name\'s failures', async (t) => {
  const { guard, clock } = setup()
  guard.failed(as('alice', 'c1'))
  guard.failed(as('alice', 'c2'))
  guard.succeeded(as('alice', 'c3'))
  t.equal(refusal(guard, as('alice', 'c4')), undefined)
  t.equal(guard.state('alice'), 'healthy')
  guard.failed(as('alice', 'c5'))
  t.equal(refusal(guard, as('alice', 'c6'))?.headers?.['retry-after'], '1', 'counting starts over')
  clock.now += BASE
  t.equal(refusal(guard, as('alice', 'c6')), undefined)
})

t.test('CAPTCHA: JIRA_CAPTCHA_REQUIRED with the login URL, for every credential, until the hold passes', async (t) => {
  const { guard, clock } = setup()
  const url = 'https://jira.example.com/jira/login.jsp'
  guard.succeeded(as('alice', 'good'))
  const err = guard.captcha('alice', url)
  t.equal(err.code, 'JIRA_CAPTCHA_REQUIRED')
  t.equal(err.statusCode, 403)
  t.match(err.message, url)
  t.equal(err.headers?.['retry-after'], String(CAPTCHA_HOLD / 1000))
  for (const attempt of [as('alice', 'c1'), as('alice', 'good'), as('alice', 'service', true)]) {
    const r = refusal(guard, attempt)
    t.equal(r?.code, 'JIRA_CAPTCHA_REQUIRED', `credential ${attempt.credential}`)
    t.match(r?.message, url)
  }
  t.equal(guard.state('alice'), 'captcha')
  t.equal(refusal(guard, as('bob', 'c1')), undefined, 'another name is not affected')
  clock.now += CAPTCHA_HOLD - 1
  t.equal(refusal(guard, as('alice', 'c1'))?.code, 'JIRA_CAPTCHA_REQUIRED')
  clock.now += 1
  t.equal(refusal(guard, as('alice', 'c1')), undefined, 'the hold ended')
})

t.test('CAPTCHA without a login URL', async (t) => {
  const { guard } = setup()
  const err = guard.captcha('alice', undefined)
  t.equal(err.code, 'JIRA_CAPTCHA_REQUIRED')
  t.match(err.message, 'in a browser')
  t.notMatch(err.message, 'undefined')
})

t.test('a CAPTCHA outranks a failed credential', async (t) => {
  const { guard } = setup()
  guard.failed(as('alice', 'c1'))
  guard.captcha('alice', undefined)
  t.equal(refusal(guard, as('alice', 'c1'))?.code, 'JIRA_CAPTCHA_REQUIRED')
})

t.test('a CAPTCHA hold of zero still answers with a CAPTCHA error', async (t) => {
  const guard = new LoginGuard({ captchaHoldMs: 0, now: () => 5 })
  const err = guard.captcha('alice', 'https://jira/login.jsp')
  t.type(err, ProxyError)
  t.equal(err.code, 'JIRA_CAPTCHA_REQUIRED')
})

t.test('reset() lifts every block', async (t) => {
  const { guard } = setup()
  guard.captcha('alice', undefined)
  guard.failed(as('bob', 'c1'))
  guard.reset()
  t.equal(refusal(guard, as('alice', 'c1')), undefined)
  t.equal(refusal(guard, as('bob', 'c1')), undefined, 'the failed credential too')
  t.same(guard.counts(), { backoff: 0, held: 0, captcha: 0 })
})

t.test('counts() per state, with several names', async (t) => {
  const { guard, clock } = setup({ maxFailures: 2 })
  guard.failed(as('backoff-1', 'a'))
  guard.failed(as('backoff-2', 'b'))
  guard.failed(as('held', 'c1'))
  guard.failed(as('held', 'c2'))
  guard.captcha('captcha-1', undefined)
  guard.captcha('captcha-2', undefined)
  guard.captcha('captcha-3', undefined)
  guard.failed(as('healed', 'd'))
  guard.succeeded(as('healed', 'e'))
  t.same(guard.counts(), { backoff: 2, held: 1, captcha: 3 })
  t.same(guard.counts(), { backoff: 2, held: 1, captcha: 3 }, 'counting twice gives the same answer')
  clock.now += BASE
  t.same(guard.counts(), { backoff: 0, held: 1, captcha: 3 }, 'backoffs expire')
  clock.now += CAPTCHA_HOLD
  t.same(guard.counts(), { backoff: 0, held: 0, captcha: 0 })
})

t.test('defaults: 30 s after the first failure, held after the second, a failed credential for an hour', async (t) => {
  let now = 0
  const guard = new LoginGuard({ now: () => now })
  t.equal(guard.failed(as('alice', 'c1')).headers?.['retry-after'], '3600')
  t.equal(refusal(guard, as('alice', 'c2'))?.headers?.['retry-after'], '30')
  now += 30_000
  guard.failed(as('alice', 'c2'))
  t.equal(guard.state('alice'), 'held')
  t.equal(refusal(guard, as('alice', 'c3'))?.headers?.['retry-after'], '3600')
})

t.test('pause(): every login of the name waits, known-good ones too, without a failure being counted', async (t) => {
  const { guard, clock } = setup({ maxFailures: 2 })
  guard.pause('alice', 5000)
  expectRefusal(t, refusal(guard, as('alice', 'c1')), 'LOGIN_BACKOFF', '5', 'any credential waits')
  expectRefusal(t, refusal(guard, as('alice', 'service', true)), 'LOGIN_BACKOFF', '5', 'the configured one too')
  t.equal(guard.state('alice'), 'backoff')
  guard.pause('alice', 1000)
  t.equal(refusal(guard, as('alice', 'c1'))?.headers?.['retry-after'], '5', 'a shorter pause does not shorten a longer one')
  clock.now += 5000
  t.equal(refusal(guard, as('alice', 'c1')), undefined)
  guard.failed(as('alice', 'c1'))
  t.equal(refusal(guard, as('alice', 'c2'))?.headers?.['retry-after'], '1', 'the pause did not count as a failure')
})

t.test('the oldest names leave first beyond maxNames', async (t) => {
  const guard = new LoginGuard({ maxNames: 2, now: () => 0 })
  guard.failed(as('a', 'c1'))
  guard.failed(as('b', 'c2'))
  guard.failed(as('c', 'c3'))
  t.equal(guard.state('a'), 'healthy')
  t.equal(guard.state('b'), 'backoff')
  t.equal(guard.state('c'), 'backoff')
})

import t, { type Test } from 'tap'
import { ProxyError } from '../../src/errors.js'
import { LoginGuard } from '../../src/tokens/login-guard.js'

const BASE = 1000
const HOLD = 60_000
const CAPTCHA_HOLD = 600_000

function setup (options: { maxFailures?: number } = {}): { guard: LoginGuard, clock: { now: number } } {
  const clock = { now: 1_000_000 }
  const guard = new LoginGuard({ baseDelayMs: BASE, maxFailures: options.maxFailures ?? 3, holdMs: HOLD, captchaHoldMs: CAPTCHA_HOLD, now: () => clock.now })
  return { guard, clock }
}

/** The error `check` throws, or `undefined` when the login may go ahead. */
function refusal (guard: LoginGuard, name: string, credential: string): ProxyError | undefined {
  try {
    guard.check(name, credential)
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
  t.equal(refusal(guard, 'alice', 'c1'), undefined)
  t.equal(guard.state('alice'), 'healthy')
  t.same(guard.counts(), { backoff: 0, held: 0, captcha: 0 })
})

t.test('first failure: same credential LOGIN_FAILED, another one LOGIN_BACKOFF, until the delay passes', async (t) => {
  const { guard, clock } = setup()
  const err = guard.failed('alice', 'c1')
  t.equal(err.code, 'LOGIN_FAILED')
  t.equal(err.statusCode, 401)
  t.equal(err.headers?.['retry-after'], '1')

  expectRefusal(t, refusal(guard, 'alice', 'c1'), 'LOGIN_FAILED', '1', 'same credential')
  const other = refusal(guard, 'alice', 'c2')
  expectRefusal(t, other, 'LOGIN_BACKOFF', '1', 'different credential')
  t.equal(other?.statusCode, 503)
  t.equal(refusal(guard, 'bob', 'c1'), undefined, 'another name is not affected')
  t.equal(guard.state('alice'), 'backoff')

  clock.now += BASE - 1
  t.equal(refusal(guard, 'alice', 'c2')?.code, 'LOGIN_BACKOFF', 'still waiting 1 ms before the end')
  clock.now += 1
  t.equal(refusal(guard, 'alice', 'c2'), undefined, 'the delay passed')
  t.equal(refusal(guard, 'alice', 'c1'), undefined, 'even the failed credential may try again')
  t.equal(guard.state('alice'), 'healthy')
})

t.test('the delay doubles with each failure, then the name is held', async (t) => {
  const { guard, clock } = setup({ maxFailures: 3 })
  const delays: number[] = []
  for (let i = 0; i < 3; i++) {
    const err = guard.failed('alice', `c${i}`)
    delays.push(Number(err.headers?.['retry-after']))
    if (i < 2) {
      t.equal(guard.state('alice'), 'backoff', `after failure ${i + 1}`)
      clock.now += BASE * 2 ** i
    }
  }
  t.same(delays, [1, 2, HOLD / 1000])
  t.equal(guard.state('alice'), 'held')
  expectRefusal(t, refusal(guard, 'alice', 'c9'), 'LOGIN_BACKOFF', String(HOLD / 1000), 'held, new credential')
  expectRefusal(t, refusal(guard, 'alice', 'c2'), 'LOGIN_FAILED', String(HOLD / 1000), 'held, last credential')
  clock.now += HOLD - 1
  t.equal(guard.state('alice'), 'held')
  t.equal(refusal(guard, 'alice', 'c9')?.headers?.['retry-after'], '1', 'Retry-After rounds up, never 0')
  clock.now += 1
  t.equal(refusal(guard, 'alice', 'c9'), undefined, 'the hold ended')
})

t.test('succeeded() clears the failures', async (t) => {
  const { guard } = setup()
  guard.failed('alice', 'c1')
  guard.failed('alice', 'c2')
  guard.succeeded('alice')
  t.equal(refusal(guard, 'alice', 'c1'), undefined)
  t.equal(guard.state('alice'), 'healthy')
  const err = guard.failed('alice', 'c1')
  t.equal(err.headers?.['retry-after'], '1', 'counting starts over')
})

t.test('CAPTCHA: JIRA_CAPTCHA_REQUIRED with the login URL until the hold passes', async (t) => {
  const { guard, clock } = setup()
  const url = 'https://jira.example.com/jira/login.jsp'
  const err = guard.captcha('alice', url)
  t.equal(err.code, 'JIRA_CAPTCHA_REQUIRED')
  t.equal(err.statusCode, 403)
  t.match(err.message, url)
  t.equal(err.headers?.['retry-after'], String(CAPTCHA_HOLD / 1000))
  for (const credential of ['c1', 'c2', '']) {
    const r = refusal(guard, 'alice', credential)
    t.equal(r?.code, 'JIRA_CAPTCHA_REQUIRED', `credential ${JSON.stringify(credential)}`)
    t.match(r?.message, url)
  }
  t.equal(guard.state('alice'), 'captcha')
  t.equal(refusal(guard, 'bob', 'c1'), undefined, 'another name is not affected')
  clock.now += CAPTCHA_HOLD - 1
  t.equal(refusal(guard, 'alice', 'c1')?.code, 'JIRA_CAPTCHA_REQUIRED')
  clock.now += 1
  t.equal(refusal(guard, 'alice', 'c1'), undefined, 'the hold ended')
})

t.test('CAPTCHA without a login URL', async (t) => {
  const { guard } = setup()
  const err = guard.captcha('alice', undefined)
  t.equal(err.code, 'JIRA_CAPTCHA_REQUIRED')
  t.match(err.message, 'in a browser')
  t.notMatch(err.message, 'undefined')
})

t.test('a CAPTCHA outranks a backoff', async (t) => {
  const { guard } = setup()
  guard.failed('alice', 'c1')
  guard.captcha('alice', undefined)
  t.equal(refusal(guard, 'alice', 'c1')?.code, 'JIRA_CAPTCHA_REQUIRED')
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
  guard.failed('bob', 'c1')
  guard.reset()
  t.equal(refusal(guard, 'alice', 'c1'), undefined)
  t.equal(refusal(guard, 'bob', 'c1'), undefined)
  t.same(guard.counts(), { backoff: 0, held: 0, captcha: 0 })
})

t.test('counts() per state, with several names', async (t) => {
  const { guard, clock } = setup({ maxFailures: 2 })
  guard.failed('backoff-1', 'c')
  guard.failed('backoff-2', 'c')
  guard.failed('held', 'c1')
  guard.failed('held', 'c2')
  guard.captcha('captcha-1', undefined)
  guard.captcha('captcha-2', undefined)
  guard.captcha('captcha-3', undefined)
  guard.failed('healed', 'c')
  guard.succeeded('healed')
  t.same(guard.counts(), { backoff: 2, held: 1, captcha: 3 })
  t.same(guard.counts(), { backoff: 2, held: 1, captcha: 3 }, 'counting twice gives the same answer')
  clock.now += BASE
  t.same(guard.counts(), { backoff: 0, held: 1, captcha: 3 }, 'backoffs expire')
  clock.now += CAPTCHA_HOLD
  t.same(guard.counts(), { backoff: 0, held: 0, captcha: 0 })
})

t.test('defaults: 30 s after the first failure, held after the second', async (t) => {
  let now = 0
  const guard = new LoginGuard({ now: () => now })
  t.equal(guard.failed('alice', 'c1').headers?.['retry-after'], '30')
  now += 30_000
  t.equal(guard.failed('alice', 'c2').headers?.['retry-after'], '3600')
  t.equal(guard.state('alice'), 'held')
})

t.test('pause(): logins wait without a failure being counted', async (t) => {
  const { guard, clock } = setup({ maxFailures: 2 })
  guard.pause('alice', 5000)
  expectRefusal(t, refusal(guard, 'alice', 'c1'), 'LOGIN_BACKOFF', '5', 'any credential waits')
  t.equal(guard.state('alice'), 'backoff')
  guard.pause('alice', 1000)
  t.equal(refusal(guard, 'alice', 'c1')?.headers?.['retry-after'], '5', 'a shorter pause does not shorten a longer one')
  clock.now += 5000
  t.equal(refusal(guard, 'alice', 'c1'), undefined)
  t.equal(guard.failed('alice', 'c1').headers?.['retry-after'], '1', 'the pause did not count as a failure')
})

t.test('the oldest names leave first beyond maxNames', async (t) => {
  const guard = new LoginGuard({ maxNames: 2, now: () => 0 })
  guard.failed('a', 'c')
  guard.failed('b', 'c')
  guard.failed('c', 'c')
  t.equal(guard.state('a'), 'healthy')
  t.equal(guard.state('b'), 'backoff')
  t.equal(guard.state('c'), 'backoff')
})

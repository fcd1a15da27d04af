import t from 'tap'
import type { LoginFailures } from '../../src/store/ports.js'
import { forEachStore } from './_stores.js'

// Logins per Jira account, shared: failures counted atomically (two replicas failing at once
// count two), each holding the account and the credential that failed; pauses and CAPTCHA holds
// kept; a success forgetting the account's failures and marking its credential good; the
// operator's reset forgetting every hold.

const DELAYS = [30_000, 3_600_000]
const HOLD = 3_600_000
const NOW = 1_800_000_000_000
const NOTHING: LoginFailures = { failures: 0, retryAt: 0, pausedUntil: 0, captchaUntil: 0, loginUrl: undefined, credentialRetryAt: 0, credentialGood: false }

t.test('each failure counts and holds the account, and the credential that failed', async (t) => {
  forEachStore(t, async (t, store, another) => {
    t.equal(await store.logins.read('user:svc', 'cred-a'), undefined, 'nothing known')
    const first = await store.logins.fail('user:svc', 'cred-a', DELAYS, HOLD, NOW)
    t.same(first, { ...NOTHING, failures: 1, retryAt: NOW + 30_000, credentialRetryAt: NOW + HOLD })
    t.same(await another.logins.read('user:svc', 'cred-a'), first, 'another replica sees it')
    t.same(await another.logins.read('user:svc', 'cred-b'), { ...NOTHING, failures: 1, retryAt: NOW + 30_000 }, 'another credential is held by the account only')
    const second = await another.logins.fail('user:svc', 'cred-b', DELAYS, HOLD, NOW + 1000) as LoginFailures
    t.match(second, { failures: 2, retryAt: NOW + 1000 + 3_600_000, credentialRetryAt: NOW + 1000 + HOLD }, 'the second failure holds for the last delay')
    const third = await store.logins.fail('user:svc', 'cred-c', DELAYS, HOLD, NOW + 2000) as LoginFailures
    t.equal(third.failures, 3)
    t.equal(third.retryAt, NOW + 2000 + 3_600_000, 'the last delay holds beyond the list')
    t.match(await store.logins.read('user:svc', 'cred-a'), { credentialRetryAt: NOW + HOLD }, 'each credential keeps its own hold')
    t.same(await store.logins.read('user:other', 'cred-x'), undefined, 'accounts are apart')
  })
})

t.test('failures from two replicas at the same moment all count', async (t) => {
  forEachStore(t, async (t, store, another) => {
    await Promise.all(Array.from({ length: 40 }, async (_, i) => await (i % 2 === 0 ? store : another).logins.fail('user:svc', `cred-${i}`, DELAYS, HOLD, NOW)))
    t.match(await store.logins.read('user:svc', 'cred-0'), { failures: 40 })
  })
})

t.test('a success forgets the account\'s failures and marks the credential good, until it fails', async (t) => {
  forEachStore(t, async (t, store, another) => {
    await store.logins.fail('user:svc', 'cred-a', DELAYS, HOLD, NOW)
    await store.logins.fail('user:svc', 'cred-b', DELAYS, HOLD, NOW)
    await store.logins.fail('user:pat', 'cred-p', DELAYS, HOLD, NOW)
    await another.logins.succeed('user:svc', 'cred-b')
    t.same(await store.logins.read('user:svc', 'cred-b'), { ...NOTHING, credentialGood: true }, 'failures gone, the credential known good')
    t.same(await store.logins.read('user:svc', 'cred-a'), { ...NOTHING, credentialRetryAt: NOW + HOLD }, 'the other failed credential stays held')
    t.match(await store.logins.read('user:pat', 'cred-p'), { failures: 1 }, 'other accounts keep theirs')
    await store.logins.fail('user:svc', 'cred-b', DELAYS, HOLD, NOW)
    t.match(await another.logins.read('user:svc', 'cred-b'), { failures: 1, credentialGood: false }, 'good no longer once it failed')
  })
})

t.test('pauses and CAPTCHA holds only ever lengthen; the operator\'s reset forgets every hold', async (t) => {
  forEachStore(t, async (t, store, another) => {
    await store.logins.pause('user:svc', NOW + 5000)
    await store.logins.pause('user:svc', NOW + 1000)
    t.same(await another.logins.read('user:svc', 'x'), { ...NOTHING, pausedUntil: NOW + 5000 }, 'a pause counts no failure')
    await another.logins.captcha('user:svc', NOW + 3_600_000, 'https://jira.example.com/login.jsp')
    t.same(await store.logins.read('user:svc', 'x'), { ...NOTHING, pausedUntil: NOW + 5000, captchaUntil: NOW + 3_600_000, loginUrl: 'https://jira.example.com/login.jsp' })
    await store.logins.fail('user:svc', 'x', DELAYS, HOLD, NOW)
    t.match(await store.logins.read('user:svc', 'x'), { failures: 1, captchaUntil: NOW + 3_600_000, loginUrl: 'https://jira.example.com/login.jsp' }, 'a failure keeps the CAPTCHA hold')
    await store.logins.fail('user:pat', 'y', DELAYS, HOLD, NOW)
    await store.logins.succeed('user:pat', 'good')
    await another.logins.resetAll()
    t.same(await store.logins.read('user:svc', 'x'), undefined, 'every account forgotten')
    t.same(await store.logins.read('user:pat', 'y'), undefined)
    t.same(await store.logins.read('user:pat', 'good'), { ...NOTHING, credentialGood: true }, 'what logged in stays known good')
  })
})

import t from 'tap'
import type { LoginFailures } from '../../src/store/ports.js'
import { forEachStore } from './_stores.js'

// Failed logins per Jira account, shared: counted atomically (two replicas failing at once count
// two), each failure holding the account and the failed credential, CAPTCHA holds kept, success
// and the operator's reset forgetting them.

const DELAYS = [30_000, 3_600_000]
const NOW = 1_800_000_000_000

t.test('each failure counts and holds the account, and the credential that failed', async (t) => {
  forEachStore(t, async (t, store, another) => {
    t.equal(await store.logins.read('user:svc', 'cred-a'), undefined, 'nothing known')
    const first = await store.logins.fail('user:svc', 'cred-a', DELAYS, NOW)
    t.same(first, { failures: 1, retryAt: NOW + 30_000, credentialRetryAt: NOW + 30_000, captchaUntil: 0, loginUrl: undefined })
    t.same(await another.logins.read('user:svc', 'cred-a'), first, 'another replica sees it')
    t.match(await another.logins.read('user:svc', 'cred-b'), { failures: 1, retryAt: NOW + 30_000, credentialRetryAt: 0 }, 'another credential is held by the account only')
    const second = await another.logins.fail('user:svc', 'cred-b', DELAYS, NOW + 1000) as LoginFailures
    t.match(second, { failures: 2, retryAt: NOW + 1000 + 3_600_000, credentialRetryAt: NOW + 1000 + 3_600_000 }, 'the second failure holds for the last delay')
    const third = await store.logins.fail('user:svc', 'cred-c', DELAYS, NOW + 2000) as LoginFailures
    t.equal(third.failures, 3)
    t.equal(third.retryAt, NOW + 2000 + 3_600_000, 'the last delay holds beyond the list')
    t.match(await store.logins.read('user:svc', 'cred-a'), { credentialRetryAt: NOW + 30_000 }, 'each credential keeps its own hold')
    t.equal(await store.logins.read('user:other', 'cred-a'), undefined, 'accounts are apart')
  })
})

t.test('failures from two replicas at the same moment all count', async (t) => {
  forEachStore(t, async (t, store, another) => {
    await Promise.all(Array.from({ length: 40 }, async (_, i) => await (i % 2 === 0 ? store : another).logins.fail('user:svc', `cred-${i}`, DELAYS, NOW)))
    t.match(await store.logins.read('user:svc', 'cred-0'), { failures: 40 })
  })
})

t.test('pauses and CAPTCHA holds only ever lengthen; success and reset forget', async (t) => {
  forEachStore(t, async (t, store, another) => {
    await store.logins.hold('user:svc', NOW + 5000)
    await store.logins.hold('user:svc', NOW + 1000)
    t.same(await another.logins.read('user:svc', 'x'), { failures: 0, retryAt: NOW + 5000, credentialRetryAt: 0, captchaUntil: 0, loginUrl: undefined }, 'a pause counts no failure')
    await another.logins.hold('user:svc', NOW + 3_600_000, 'https://jira.example.com/login.jsp')
    t.match(await store.logins.read('user:svc', 'x'), { captchaUntil: NOW + 3_600_000, loginUrl: 'https://jira.example.com/login.jsp', retryAt: NOW + 5000 })
    await store.logins.fail('user:svc', 'x', DELAYS, NOW)
    t.match(await store.logins.read('user:svc', 'x'), { failures: 1, captchaUntil: NOW + 3_600_000, loginUrl: 'https://jira.example.com/login.jsp' }, 'a failure keeps the CAPTCHA hold')
    await store.logins.fail('user:pat', 'y', DELAYS, NOW)
    await another.logins.reset('user:svc')
    t.equal(await store.logins.read('user:svc', 'x'), undefined, 'a success forgets the account')
    t.not(await store.logins.read('user:pat', 'y'), undefined, 'and only that account')
    await store.logins.fail('user:svc', 'x', DELAYS, NOW)
    await another.logins.resetAll()
    t.equal(await store.logins.read('user:svc', 'x'), undefined, 'the operator reset forgets every account')
    t.equal(await store.logins.read('user:pat', 'y'), undefined)
  })
})

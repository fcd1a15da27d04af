import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { JWT_SHAPE, SESSION_ID_SHAPE, doctor } from './_doctor.js'

// `doctor` against the simulator: one line per check, exit 0 only when all is well, exactly one
// login attempt whatever happens, and no secret in what it prints.

const APPS = ['softwareplant-bigpicture', 'softwareplant-biggantt', 'softwareplant-bigtemplate']

t.test('all good: every app checked, one login, one system/auth per app, then a logout', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal(run.code, 0, run.out)
  for (const line of run.lines.slice(1, -1)) t.match(line, /^(✔|✘|\s)/, `one check per line: ${line}`)
  t.notMatch(run.out, /✘/)
  t.match(run.out, /Service identity: Jira user "svc", password set \(JIRA_PASSWORD\)/)
  t.match(run.out, /Jira is reachable/)
  t.match(run.out, /Login as user "svc": Jira accepted it/)
  for (const app of APPS) t.match(run.out, new RegExp(`✔ ${app}: system/auth issued tokens \\(authentication valid 15 min, refresh 7 days\\)`))
  t.match(run.out, /Logout/)
  t.match(run.lines.at(-1), /All checks passed/)
  t.equal(sim.stats.calls.login, 1, 'one login')
  t.equal(sim.stats.calls.auth, APPS.length, 'one system/auth per app')
  t.equal(sim.stats.calls.logout, 1, 'the doctor\'s session is closed')
  t.equal(sim.stats.calls.reauth, undefined, 'nothing else')
})

t.test('wrong password: exit 1, said plainly, exactly one login attempt and nothing after it', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'not-the-password' })
  t.equal(run.code, 1)
  t.match(run.out, /✘ Login as user "svc": Jira rejected the password \(HTTP 401\)/)
  t.match(run.out, /JIRA_PASSWORD/, 'the hint names the variable')
  t.match(run.out, /tried once and will not retry/)
  t.match(run.out, /CAPTCHA/, 'and why it matters')
  t.equal(sim.stats.calls.login, 1, 'exactly one login attempt')
  t.equal(sim.stats.loginFailures, 1)
  t.equal(sim.stats.calls.auth, undefined, 'no system/auth without a session')
  t.match(run.lines.at(-1), /1 check failed/)
})

t.test('CAPTCHA demanded: explained with the login page, and not retried', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira', captchaAfter: 1 })
  // Someone else already failed once: Jira now demands a CAPTCHA for svc.
  const failed = await fetch(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'svc', password: 'typo' })
  })
  t.equal(failed.status, 401)
  const run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal(run.code, 1)
  t.match(run.out, /✘ Login as user "svc": Jira demands a CAPTCHA/)
  t.match(run.out, new RegExp(`${sim.url.replace(/[.]/g, '\\.')}/login\\.jsp`), 'where to sign in')
  t.match(run.out, /SIGHUP/, 'and how to tell a running proxy')
  t.equal(sim.stats.calls.login, 2, 'the earlier failure and the doctor\'s single attempt')
  t.equal(sim.stats.captchaChallenges, 1)
  t.equal(sim.stats.calls.auth, undefined)
})

t.test('Jira down: exit 1, the address and what to check, no login tried', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  await sim.control.setDown(true)
  const run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal(run.code, 1)
  t.match(run.out, /✘ Jira is not reachable at http:\/\/127\.0\.0\.1:\d+ \(direct\): connection refused/)
  t.match(run.out, /JIRA_URL/)
  t.match(run.out, /were not checked/)
  t.notMatch(run.out, /Login as/)
})

t.test('Jira that accepts connections but does not answer: a timeout, not a hang', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  sim.control.setLatency(3000)
  const started = performance.now()
  const run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' }, { timeoutMs: 300 })
  t.ok(performance.now() - started < 2500, 'gave up after its own timeout')
  t.equal(run.code, 1)
  t.match(run.out, /✘ Jira is not reachable .*: connected to 127\.0\.0\.1:\d+, but it did not answer in time/)
  sim.control.setLatency(0)
})

t.test('no service identity: says so and checks only that Jira answers', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const run = await doctor({ JIRA_URL: sim.url })
  t.equal(run.code, 0, run.out)
  t.match(run.out, /Service identity: none/)
  t.match(run.out, /no login and no system\/auth were tried/)
  t.equal(sim.stats.calls.login, undefined)
  t.equal(sim.stats.calls.auth, undefined)
})

t.test('an app that is not installed: its 404 explained, the others still checked', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const run = await doctor({
    JIRA_URL: sim.url,
    JIRA_USERNAME: 'svc',
    JIRA_PASSWORD: 'svc-secret',
    BIGPICTURE_APPS: 'softwareplant-bigpicture,softwareplant-bigcalendar'
  })
  t.equal(run.code, 1)
  t.match(run.out, /✔ softwareplant-bigpicture: system\/auth issued tokens/)
  t.match(run.out, /✘ softwareplant-bigcalendar: not installed on this Jira \(system\/auth answered HTTP 404\)/)
  t.match(run.out, /Remove softwareplant-bigcalendar from BIGPICTURE_APPS/)
  t.equal(sim.stats.calls.logout, 1, 'the session is still closed')
})

t.test('a JIRA_URL without the context path: pointed at it', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const run = await doctor({ JIRA_URL: new URL(sim.url).origin })
  t.equal(run.code, 1)
  t.match(run.out, /✘ Jira status: nothing that looks like Jira/)
  t.match(run.out, /context path/)
})

t.test('BigPicture failing: system/auth 500 and garbage are told apart', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  sim.control.setAuthMode('error500')
  let run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', BIGPICTURE_APPS: 'softwareplant-bigpicture' })
  t.equal(run.code, 1)
  t.match(run.out, /✘ softwareplant-bigpicture: system\/auth failed \(HTTP 500\)/)
  sim.control.setAuthMode('garbage')
  run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', BIGPICTURE_APPS: 'softwareplant-bigpicture' })
  t.match(run.out, /✘ softwareplant-bigpicture: system\/auth answered something that is not a token pair/)
  sim.control.setAuthMode('anonymous')
  run = await doctor({ JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', BIGPICTURE_APPS: 'softwareplant-bigpicture' })
  t.match(run.out, /✘ softwareplant-bigpicture: system\/auth (did not recognise|answered something)/)
})

t.test('personal access token: login by token, and a wrong token explained', async (t) => {
  const token = 'pat-0123456789abcdef0123456789abcdef'
  const sim = await startSimulator(t, { contextPath: '/jira', pats: { [token]: 'svc' } })
  let run = await doctor({ JIRA_URL: sim.url, JIRA_PAT: token })
  t.equal(run.code, 0, run.out)
  t.match(run.out, /Service identity: personal access token set \(JIRA_PAT\)/)
  t.notOk(run.out.includes(token), 'the token is not printed')
  run = await doctor({ JIRA_URL: sim.url, JIRA_PAT: 'pat-wrong-token-value-000000000000' })
  t.equal(run.code, 1)
  t.match(run.out, /✘ Login with the personal access token: Jira rejected it \(HTTP 401\)/)
  t.match(run.out, /JIRA_PAT/)
  t.notOk(run.out.includes('pat-wrong-token-value'), 'not even a wrong one')
})

t.test('no secret in the output: password, API key, session id, JWT', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const password = 'svc-secret'
  const apiKey = 'proxy-key-0123456789abcdef'
  const env = { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: password, PROXY_API_KEYS: apiKey, HOST: '0.0.0.0' }
  const good = await doctor(env)
  t.equal(good.code, 0, good.out)
  t.match(good.out, /Proxy API keys: 1 key set \(PROXY_API_KEYS\)/)
  const bad = await doctor({ ...env, JIRA_PASSWORD: 'wrong-password-for-the-test' })
  for (const run of [good, bad]) {
    t.notOk(run.out.includes(password), 'no password')
    t.notOk(run.out.includes('wrong-password-for-the-test'), 'no wrong password either')
    t.notOk(run.out.includes(apiKey), 'no API key')
    t.notMatch(run.out, SESSION_ID_SHAPE, 'no session id')
    t.notMatch(run.out, JWT_SHAPE, 'no JWT')
    t.notMatch(run.out, /JSESSIONID=/, 'no cookie')
  }
})

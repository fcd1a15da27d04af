import t from 'tap'
import { BP, basic, call, loginCookie, sleep } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startRecorder } from '../helpers/recorder.js'
import { startSimulator } from '../helpers/simulator.js'

const PAT = 'pat-of-carol-7f3a9c1e5b'
const KEY = 'api-key-for-gateway-31415926'

t.test('a whole session at debug level leaves no secret in the log', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira', authTokenSeconds: 2, pats: { [PAT]: 'alice' } })
  const recorder = await startRecorder(t, sim.url)
  const proxy = await startProxy(t, {
    JIRA_URL: recorder.url,
    JIRA_USERNAME: 'svc',
    JIRA_PASSWORD: 'svc-secret',
    PROXY_API_KEYS: KEY,
    TOKEN_REFRESH_SKEW_SECONDS: '1',
    LOG_LEVEL: 'trace'
  })

  // Cookie client: login through the proxy, use, expire, revoke, retry.
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  await sleep(1500)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAllTokens()
  t.equal((await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"name":"x"}' })).status, 201)
  // Basic, PAT and service identity clients; a service request with the key.
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })).status, 200)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: `Bearer ${PAT}` } })).status, 200)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { 'x-proxy-key': KEY } })).status, 200)
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200)
  // Failures: a wrong password, a wrong key, a dead session, garbage from auth, Jira down.
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('alice', 'wrong-secret-pw') } })).status, 401)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { 'x-proxy-key': 'wrong-key-2718281828' } })).status, 403)
  sim.control.expireSessions('svc')
  t.equal((await call(`${proxy.url}${BP}/box`)).status, 200)
  sim.control.setAuthMode('garbage')
  sim.control.revokeAllTokens()
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'bob-secret') } })).status, 502)
  sim.control.setAuthMode('ok')
  await sim.control.setDown(true)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 502)
  await sim.control.setDown(false)

  const secrets = new Set([...recorder.secrets, 'alice-secret', 'bob-secret', 'svc-secret', 'wrong-secret-pw', PAT, KEY, 'wrong-key-2718281828', cookie.split('=')[1] as string])
  t.ok(secrets.size > 15, `${secrets.size} secrets crossed the wire`)
  t.ok([...secrets].some((s) => s.startsWith('ey')), 'JWTs among them')
  const log = proxy.logText()
  t.ok(log.length > 2000, 'the log is not empty')
  t.match(log, /"level":20/, 'debug lines were written')
  for (const secret of secrets) {
    if (log.includes(secret)) t.fail(`a secret reached the log: ${secret.slice(0, 4)}…`)
    // Basic credentials appear base64-encoded in headers; their decoded halves are covered above.
  }
  t.match(log, /"identity":"cookie:[A-Za-z0-9_-]{8}"/, 'identities appear as short hashes')
})

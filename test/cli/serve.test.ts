import t from 'tap'
import { BP, call, loginCookie } from '../helpers/clients.js'
import { built, startCli } from '../helpers/cli.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('the built CLI serves a cookie client end to end and logs the bound port', { skip: !built && 'dist/ not built' }, async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const proxy = await startCli(t, { JIRA_URL: sim.url })
  t.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'listens on loopback by default')
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  proxy.child.kill('SIGTERM')
  t.equal(await proxy.exited, 0)
  t.match(proxy.stdout(), /"family":"bigpicture"/, 'an access-log line for the request')
})

t.test('SIGTERM lets an in-flight request finish, refuses new connections, exits 0', { skip: !built && 'dist/ not built' }, async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startCli(t, { JIRA_URL: sim.url })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  const slow = call(`${proxy.url}${BP}/slow?ms=1500`, { headers: { cookie } })
  await new Promise((resolve) => setTimeout(resolve, 300))
  proxy.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 300))
  const refused = await fetch(`${proxy.url}/_proxy/healthz`).then(() => 'answered', (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? 'error')
  t.equal(refused, 'ECONNREFUSED', 'new connections are refused while draining')
  const res = await slow
  t.equal(res.status, 200, 'the in-flight request finished')
  t.same(res.body, { slept: 1500 })
  t.equal(await proxy.exited, 0)
})

t.test('a service identity on a non-loopback HOST without PROXY_API_KEYS refuses to start', { skip: !built && 'dist/ not built' }, async (t) => {
  const { runCli } = await import('../helpers/cli.js')
  const res = await runCli([], { JIRA_URL: 'http://127.0.0.1:9', HOST: '0.0.0.0', JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'x' })
  t.equal(res.code, 2)
  t.match(res.stderr, /HOST: 0\.0\.0\.0 is not a loopback address/)
  t.notMatch(res.stderr, /\bx\b.*password/i)
})

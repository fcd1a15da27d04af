import t from 'tap'
import { BP, call, loginCookie, until } from '../helpers/clients.js'
import { built, startCli } from '../helpers/cli.js'
import { startSimulator } from '../helpers/simulator.js'

// SIGTERM with a request that would outlast the platform's kill: after SHUTDOWN_TIMEOUT_MS the
// proxy cuts that connection, says so, and exits 1, instead of waiting for the upstream timeout.

t.test('SIGTERM: a request still in flight after SHUTDOWN_TIMEOUT_MS is cut, logged, and the process exits 1', { skip: !built && 'dist/ not built' }, async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startCli(t, { JIRA_URL: sim.url, SHUTDOWN_TIMEOUT_MS: '1000' })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  // Jira now takes ten minutes to answer anything, far beyond the shutdown's limit.
  sim.control.setLatency(600_000)
  const before = sim.stats.requests
  const held = call(`${proxy.url}${BP}/box`, { headers: { cookie } }).then(
    (res) => `answered ${res.status}`,
    (err: Error & { cause?: { code?: string } }) => err.cause?.code ?? err.message
  )
  await until(() => sim.stats.requests > before)
  proxy.child.kill('SIGTERM')

  t.equal(await proxy.exited, 1, 'exits 1: a request was lost')
  t.match(await held, /^(UND_ERR_SOCKET|ECONNRESET)$/, 'the caller sees its connection closed, not an answer')
  const out = proxy.stdout()
  t.match(out, /"timeoutMs":1000,"msg":"shutting down: finishing in-flight requests"/)
  t.match(out, /"connections":1,"timeoutMs":1000,"msg":"shutdown timeout: cutting the connections whose requests are still in flight"/)
  t.match(out, /"msg":"stopped; 1 connection cut"/)
})

import t from 'tap'
import { BP, call, loginCookie, sleep } from '../helpers/clients.js'
import { built, startCli } from '../helpers/cli.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('a forced exit (a second SIGTERM while draining) still writes every line logged before it', { skip: !built && 'dist/ not built' }, async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startCli(t, { JIRA_URL: sim.url })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  // Keeps the graceful shutdown waiting, so only the second signal ends the process.
  const slow = call(`${proxy.url}${BP}/slow?ms=5000`, { headers: { cookie } }).catch(() => undefined)
  await sleep(200)
  proxy.child.kill('SIGTERM')
  // The shutdown line is logged on the first signal and sits in the batch; the forced exit comes
  // long before the periodic flush (500 ms) could write it.
  await sleep(50)
  proxy.child.kill('SIGTERM')
  t.equal(await proxy.exited, 1, 'the second signal exits at once, with 1')
  await slow
  const out = proxy.stdout()
  t.match(out, /"msg":"shutting down: finishing in-flight requests"/, 'the line logged just before the forced exit was written')
  t.match(out, /"path":"\/rest\/auth\/1\/session"/, 'and the access-log line of the login before it')
  t.notMatch(out, /alice-secret/)
})

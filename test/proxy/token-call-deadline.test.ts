import { once } from 'node:events'
import t from 'tap'
import { Agent } from 'undici'
import { ProxyError } from '../../src/errors.js'
import { AuthClient, Deadline } from '../../src/tokens/auth-client.js'
import { callerCookies } from '../../src/tokens/session.js'
import { loginCookie } from '../helpers/clients.js'
import { startSimulator } from '../helpers/simulator.js'

/**
 * A token call's timeout covers its wait for a connection too: with the one connection held by a
 * call Jira answers too late, the call queued behind it fails when its own time is up, not one
 * timeout later when the connection comes free.
 */
t.test('a token call queued behind a slow one times out on its own deadline', async (t) => {
  const sim = await startSimulator(t)
  const cookies = callerCookies(await loginCookie(sim.url, 'alice', 'alice-secret'))
  const dispatcher = new Agent({ connections: 1 })
  t.teardown(() => dispatcher.close())
  const timeoutMs = 400
  const client = new AuthClient({ dispatcher, jiraOrigin: sim.url, contextPath: '', timeoutMs })

  const answered = await client.auth('softwareplant-bigpicture', cookies)
  t.ok(answered.ok, 'a call Jira answers in time is unaffected')

  sim.control.setLatency(timeoutMs * 3)
  t.teardown(() => { sim.control.setLatency(0) })
  const started = performance.now()
  const first = client.auth('softwareplant-bigpicture', cookies).catch((err: unknown) => err)
  const queued = client.auth('softwareplant-bigpicture', cookies).catch((err: unknown) => err)
  const queuedErr = await queued
  const queuedMs = performance.now() - started
  t.type(queuedErr, ProxyError)
  t.equal((queuedErr as ProxyError).code, 'UPSTREAM_TIMEOUT')
  // Waiting for the connection and then a timeout of its own would take twice the timeout.
  t.ok(queuedMs < timeoutMs * 1.75, `the queued call gave up after ${Math.round(queuedMs)} ms`)
  t.equal(((await first) as ProxyError).code, 'UPSTREAM_TIMEOUT', 'the slow call times out too')
})

t.test('Deadline: aborts like a timed-out signal, once, and a cleared one never fires', async (t) => {
  // A deadline's timer does not hold the process open; this test's wait must.
  const keepAlive = setTimeout(() => {}, 5000)
  t.teardown(() => { clearTimeout(keepAlive) })
  const fired = new Deadline(20)
  let aborts = 0
  fired.on('abort', () => { aborts++ })
  t.equal(fired.aborted, false)
  await once(fired, 'abort')
  t.equal(fired.aborted, true)
  t.equal((fired.reason as DOMException).name, 'TimeoutError')
  t.equal(aborts, 1)

  const cleared = new Deadline(20)
  cleared.on('abort', () => { t.fail('a cleared deadline fired') })
  cleared.clear()
  await new Promise((resolve) => setTimeout(resolve, 60))
  t.equal(cleared.aborted, false)
})

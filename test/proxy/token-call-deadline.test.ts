import { once } from 'node:events'
import { createServer } from 'node:http'
import t from 'tap'
import { Agent } from 'undici'
import { ProxyError } from '../../src/errors.js'
import { AuthClient, Deadline } from '../../src/tokens/auth-client.js'

/**
 * A token call's timeout covers its wait for a connection too: with one connection held by a call
 * Jira never answers, the call queued behind it fails when its own time is up, not one timeout
 * later when the connection comes free.
 */
t.test('a token call queued behind a hung one times out on its own deadline', async (t) => {
  const hung: Array<() => void> = []
  const server = createServer((req, res) => {
    if (req.url?.includes('/hang')) hung.push(() => res.destroy())
    else res.end('{"authentication":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln","refresh":"eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln"}')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  const dispatcher = new Agent({ connections: 1 })
  t.teardown(async () => {
    for (const end of hung) end()
    await dispatcher.close()
    server.close()
  })
  const timeoutMs = 400
  const client = new AuthClient({ dispatcher, jiraOrigin: `http://127.0.0.1:${port}`, contextPath: '', timeoutMs })

  const answered = await client.auth('softwareplant-bigpicture', 'live')
  t.ok(answered.ok, 'a call Jira answers is unaffected')

  const started = performance.now()
  const first = client.auth('hang', 'session').catch((err: unknown) => err)
  const queued = client.auth('softwareplant-bigpicture', 'queued').catch((err: unknown) => err)
  const queuedErr = await queued
  const queuedMs = performance.now() - started
  t.type(queuedErr, ProxyError)
  t.equal((queuedErr as ProxyError).code, 'UPSTREAM_TIMEOUT')
  // Waiting for the connection and then a timeout of its own would take twice the timeout.
  t.ok(queuedMs < timeoutMs * 1.75, `the queued call gave up after ${Math.round(queuedMs)} ms`)
  t.equal(((await first) as ProxyError).code, 'UPSTREAM_TIMEOUT', 'the hung call times out too')
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

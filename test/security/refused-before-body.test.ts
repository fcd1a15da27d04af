import { PassThrough } from 'node:stream'
import t from 'tap'
import { BP, call, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'
import { stalledUpload } from '../helpers/stalled-upload.js'

t.test('a network caller without credentials gets its 403 before its body has arrived', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', PROXY_API_KEYS: 'gateway-key-0123456789abcdef', LOG_LEVEL: 'info' })
  // Only loopback addresses exist here, so the network caller is an injected request with a
  // non-loopback peer address; its body never ends.
  const payload = new PassThrough()
  payload.write(Buffer.alloc(64 * 1024, 0x78))
  t.teardown(() => payload.destroy())
  const answer = await proxy.app.inject({ method: 'POST', url: `${BP}/box/1/task`, remoteAddress: '10.20.30.40', headers: { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) }, payload })
  t.equal(answer.statusCode, 403)
  t.equal(answer.json().code, 'SERVICE_IDENTITY_FORBIDDEN')
  t.equal(sim.stats.requests, 0)
})

t.test('bodies of callers the proxy has nothing to refresh for are never held in memory', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' })
  const held = async (): Promise<number> => Number(/^bigpicture_proxy_replay_bytes_held (\d+)/m.exec((await call(`${proxy.url}/_proxy/metrics`)).body as string)?.[1])
  const uploads = [
    await stalledUpload(t, proxy.url, { path: `${BP}/box/1/task`, bytes: 1_000_000, headers: { cookie: 'JSESSIONID=MADE-UP' } }),
    await stalledUpload(t, proxy.url, { path: `${BP}/box/1/task`, bytes: 1_000_000, headers: { authorization: 'Negotiate abc' } }),
    await stalledUpload(t, proxy.url, { path: `${BP}/box/1/task`, bytes: 1_000_000 })
  ]
  await until(() => (sim.stats.calls.auth ?? 0) >= 1 && sim.stats.requests >= 4)
  t.equal(await held(), 0, 'a dead session, unknown credentials, no credentials: nothing held')
  for (const u of uploads) u.finish()
  await until(() => uploads.every((u) => /^HTTP\/1\.1 401 /.test(u.answer())))
  t.pass("each got Jira's 401")
})

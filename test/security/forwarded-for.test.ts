import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { clientAt } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'

t.test("a caller's X-Forwarded-For and Forwarded reach Jira with the real client address appended", async (t) => {
  // A Jira stand-in that answers with the forwarding headers it received.
  const upstream = createServer((req, res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ xff: req.headers['x-forwarded-for'], forwarded: req.headers.forwarded }))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { upstream.closeAllConnections(); upstream.close(() => resolve()) }))
  const proxy = await startProxy(t, { JIRA_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, LOG_LEVEL: 'info' })
  const client = await clientAt(t, '127.0.0.7')
  const spoofed = await client(`${proxy.url}/rest/api/2/serverInfo`, { headers: { 'x-forwarded-for': '10.9.9.9', forwarded: 'for=10.9.9.9' } })
  t.same(spoofed.body, { xff: '10.9.9.9, 127.0.0.7', forwarded: 'for=10.9.9.9, for=127.0.0.7' })
  const plain = await client(`${proxy.url}/rest/softwareplant-bigpicture/1.0/box`)
  t.same(plain.body, { xff: '127.0.0.7' }, 'added when the caller sent none')
})

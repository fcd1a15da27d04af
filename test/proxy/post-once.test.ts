import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { cookieSession } from '../helpers/session.js'

t.test('a POST replayed after a 401 is applied exactly once, byte for byte', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAuthTokens()
  const body = JSON.stringify({ name: 'exactly once ✓', notes: 'x'.repeat(200_000) })
  const res = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body })
  t.equal(res.status, 201)
  t.equal(sim.stats.tasks.length, 1, 'applied once')
  t.equal(sim.stats.tasks[0]?.body, body, 'byte-identical')
  t.equal(sim.stats.rejectedTokens, 1, 'the first attempt was rejected, the replay accepted')
})

t.test('a chunked body without Content-Length is held and replayed too', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAuthTokens()
  const body = JSON.stringify({ name: 'chunked' })
  const stream = new ReadableStream({
    start (controller) {
      controller.enqueue(new TextEncoder().encode(body.slice(0, 5)))
      controller.enqueue(new TextEncoder().encode(body.slice(5)))
      controller.close()
    }
  })
  const res = await fetch(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit)
  t.equal(res.status, 201)
  await res.arrayBuffer()
  t.equal(sim.stats.tasks.length, 1)
  t.equal(sim.stats.tasks[0]?.body, body)
})

t.test('a body over MAX_REPLAY_BODY_BYTES streams once on a token issued for it', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, {}, { MAX_REPLAY_BODY_BYTES: '1024' })
  const body = JSON.stringify({ name: 'big', notes: 'y'.repeat(5000) })
  const ok = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body })
  t.equal(ok.status, 201)
  t.equal(sim.stats.tasks[0]?.body, body)
  sim.control.revokeAuthTokens()
  const again = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body })
  t.equal(again.status, 201, 'a revocation since the last token does not matter: the token is issued for the upload')
  t.equal(sim.stats.tasks.length, 2)
  t.equal(sim.stats.rejectedTokens, 0, 'BigPicture never saw a stale token')
  t.equal(sim.stats.calls.auth, 2, 'one system/auth per streamed upload')
})

/** A BigPicture that issues tokens but refuses every data request, recording what it received. */
async function refusingBigPicture (t: { teardown (fn: () => unknown): void }): Promise<{ url: string, bodies: string[] }> {
  const bodies: string[] = []
  const jwt = (n: number): string => `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 900, n })).toString('base64url')}.c2ln`
  let issued = 0
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      if (req.url?.endsWith('/system/auth') || req.url?.endsWith('/system/reauth')) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-ausername': 'alice' })
        res.end(JSON.stringify({ authentication: jwt(issued++), refresh: jwt(issued++) }))
        return
      }
      bodies.push(Buffer.concat(chunks).toString('utf8'))
      res.writeHead(401, { 'content-type': 'application/json', 'x-ausername': 'alice' })
      res.end('{"message":"JWT token is invalid or expired"}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies }
}

t.test('a refused body is replayed once if it was held, never if it was streamed, and never in a loop', async (t) => {
  const jira = await refusingBigPicture(t)
  const proxy = await startProxy(t, { JIRA_URL: jira.url, MAX_REPLAY_BODY_BYTES: '1024' })
  const headers = { cookie: 'JSESSIONID=ABC123', 'content-type': 'application/json' }
  const small = JSON.stringify({ name: 'held' })
  const held = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers, body: small })
  t.equal(held.status, 401, 'after one replay the 401 is the answer')
  t.same(jira.bodies, [small, small], 'sent twice: once, then the one replay')
  jira.bodies.length = 0
  const large = JSON.stringify({ name: 'streamed', notes: 'z'.repeat(4000) })
  const streamed = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers, body: large })
  t.equal(streamed.status, 401)
  t.same(jira.bodies, [large], 'a streamed body is sent exactly once, whole')
})

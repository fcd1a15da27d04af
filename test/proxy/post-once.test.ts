import t from 'tap'
import { BP, call } from '../helpers/clients.js'
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

t.test('a body over MAX_REPLAY_BODY_BYTES streams once with a fresh token and is never replayed', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, {}, { MAX_REPLAY_BODY_BYTES: '1024' })
  const body = JSON.stringify({ name: 'big', notes: 'y'.repeat(5000) })
  const ok = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body })
  t.equal(ok.status, 201, 'streamed once on a fresh token')
  t.equal(sim.stats.tasks[0]?.body, body)
  sim.control.revokeAuthTokens()
  const rejected = await call(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body })
  t.equal(rejected.status, 401, 'not replayable: the 401 is relayed rather than the body sent twice')
  t.equal(sim.stats.tasks.length, 1, 'never applied twice')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200, 'the next request recovers')
})

import { Readable } from 'node:stream'
import t from 'tap'
import { BP } from '../helpers/clients.js'
import { cookieSession } from '../helpers/session.js'

const MiB = 1024 * 1024

/** A body of `size` bytes produced chunk by chunk, never held whole. */
function generated (size: number): ReadableStream<Uint8Array> {
  const chunk = Buffer.alloc(256 * 1024, 0x61)
  let left = size
  return Readable.toWeb(Readable.from((function * () {
    while (left > 0) {
      const n = Math.min(left, chunk.length)
      left -= n
      yield n === chunk.length ? chunk : chunk.subarray(0, n)
    }
  })())) as ReadableStream<Uint8Array>
}

t.test('a 512 MiB attachment upload streams through the passthrough with flat memory', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, {}, { LOG_LEVEL: 'info' })
  const size = 512 * MiB
  let peak = 0
  const base = process.memoryUsage().rss
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 20)
  const res = await fetch(`${proxy.url}/rest/api/2/issue/ABC-1/attachments`, {
    method: 'POST',
    headers: { cookie, 'x-atlassian-token': 'no-check', 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: generated(size),
    duplex: 'half'
  } as RequestInit)
  clearInterval(sampler)
  t.equal(res.status, 200)
  const answer = await res.json() as Array<{ size: number }>
  t.equal(answer[0]?.size, size, 'every byte arrived')
  t.equal(sim.stats.uploads[0]?.bytes, size)
  // Client, proxy and simulator share this process: all three together stay far below the body.
  t.ok(peak - base < 128 * MiB, `RSS grew ${Math.round((peak - base) / MiB)} MiB for a ${size / MiB} MiB upload`)
})

t.test('a BigPicture body over the replay cap streams once without being held', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, {}, { MAX_REPLAY_BODY_BYTES: String(64 * 1024), LOG_LEVEL: 'info' })
  const body = JSON.stringify({ name: 'large', notes: 'z'.repeat(3 * MiB) })
  const res = await fetch(`${proxy.url}${BP}/box/1/task`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body })
  t.equal(res.status, 201)
  await res.arrayBuffer()
  t.equal(sim.stats.tasks[0]?.body.length, body.length)
  t.equal(sim.stats.tasks[0]?.body, body)
})

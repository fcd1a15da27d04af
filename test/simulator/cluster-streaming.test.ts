import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import t from 'tap'
import { Agent, request } from 'undici'
import { downloadByteAt } from '../../src/simulator/index.js'
import { startSimulator } from '../helpers/simulator.js'
import { clusterLogin } from './_cluster.js'

const MiB = 1024 * 1024

function * chunks (total: number, size = 64 * 1024): Generator<Buffer> {
  const chunk = Buffer.alloc(size, 0x61)
  for (let sent = 0; sent < total; sent += size) yield sent + size <= total ? chunk : chunk.subarray(0, total - sent)
}

t.test('uploads and downloads stream through the balancer to the exact byte, under a context path', async (t) => {
  const sim = await startSimulator(t, { nodes: 2, contextPath: '/jira' })
  const { cookie } = await clusterLogin(sim, 'alice', 'alice-secret')
  const total = 20 * MiB + 3
  const up = await request(`${sim.url}/rest/api/2/issue/PRJ-1/attachments`, {
    method: 'POST',
    headers: { cookie, 'x-atlassian-token': 'no-check', 'content-type': 'application/octet-stream' },
    body: Readable.from(chunks(total))
  })
  t.equal(up.statusCode, 200)
  const [attachment] = await up.body.json() as Array<{ self: string }>
  t.match(attachment?.self, new RegExp(`^${sim.url}/rest/api/2/attachment/`), 'links name the balancer, not the node')
  t.same(sim.stats.uploads, [{ issueKey: 'PRJ-1', user: 'alice', bytes: total }])

  const size = 5 * MiB + 11
  const down = await request(`${sim.url}/rest/api/2/attachment/content/${size}`, { headers: { cookie } })
  t.equal(down.statusCode, 200)
  t.equal(down.headers['content-length'], String(size))
  let offset = 0
  let wrong = 0
  for await (const chunk of down.body as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] !== downloadByteAt(offset + i)) wrong++
    offset += chunk.length
  }
  t.same([offset, wrong], [size, 0])
  t.equal(sim.stats.nodes[2]?.requests, 0, 'everything stayed on the pinned node')
})

t.test('the balancer serves HTTPS in front of plain-HTTP nodes', async (t) => {
  const fixtures = new URL('./fixtures/', import.meta.url)
  const sim = await startSimulator(t, {
    nodes: 2,
    tls: { key: readFileSync(new URL('localhost-key.pem', fixtures)), cert: readFileSync(new URL('localhost-cert.pem', fixtures)) }
  })
  t.match(sim.url, /^https:\/\//)
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } })
  t.teardown(() => dispatcher.close())
  const res = await request(`${sim.url}/status`, { dispatcher })
  t.equal(res.statusCode, 200)
  t.match(res.headers['set-cookie'], /^INGRESSCOOKIE=/)
  await res.body.dump()
})

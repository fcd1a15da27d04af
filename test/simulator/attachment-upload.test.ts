import { Readable } from 'node:stream'
import t from 'tap'
import { request } from 'undici'
import { startSimulator } from '../helpers/simulator.js'
import { basic, login } from './_client.js'

const MiB = 1024 * 1024

function * chunks (total: number, size = 64 * 1024): Generator<Buffer> {
  const chunk = Buffer.alloc(size, 0x61)
  for (let sent = 0; sent < total; sent += size) yield sent + size <= total ? chunk : chunk.subarray(0, total - sent)
}

t.test('an upload is counted chunk by chunk to the exact byte', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const id = await login(sim, 'alice', 'alice-secret')
  const total = 50 * MiB + 7
  const res = await request(`${sim.url}/rest/api/2/issue/PRJ-1/attachments`, {
    method: 'POST',
    headers: { cookie: `JSESSIONID=${id}`, 'x-atlassian-token': 'no-check', 'content-type': 'application/octet-stream' },
    body: Readable.from(chunks(total))
  })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/json;charset=UTF-8')
  const [attachment] = await res.body.json() as Array<{ id: number, size: number, filename: string }>
  t.match(attachment, { id: Number, size: total, filename: 'upload' })
  t.same(sim.stats.uploads, [{ issueKey: 'PRJ-1', user: 'alice', bytes: total }])
  t.equal(sim.stats.calls.attachment, 1)
})

t.test('an upload needs the XSRF header', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(`${sim.url}/rest/api/2/issue/PRJ-2/attachments`, {
    method: 'POST',
    headers: { authorization: basic('bob', 'bob-secret') },
    body: 'data'
  })
  t.equal(res.status, 403)
  t.same(await res.json(), { errorMessages: ['XSRF check failed'] })
  t.same(sim.stats.uploads, [])
})

t.test('an upload needs a Jira identity', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(`${sim.url}/rest/api/2/issue/PRJ-3/attachments`, {
    method: 'POST',
    headers: { 'x-atlassian-token': 'no-check' },
    body: 'data'
  })
  t.equal(res.status, 401)
  t.same(sim.stats.uploads, [])
})

t.test('Basic credentials are enough for an upload', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(`${sim.url}/rest/api/2/issue/PRJ-4/attachments`, {
    method: 'POST',
    headers: { authorization: basic('bob', 'bob-secret'), 'x-atlassian-token': 'no-check' },
    body: 'hello'
  })
  t.equal(res.status, 200)
  t.same(sim.stats.uploads, [{ issueKey: 'PRJ-4', user: 'bob', bytes: 5 }])
})

import t from 'tap'
import { request } from 'undici'
import { downloadByteAt } from '../../src/simulator/index.js'
import { startSimulator } from '../helpers/simulator.js'
import { login } from './_client.js'

t.test('the download endpoint streams the asked number of pattern bytes', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const size = 5 * 1024 * 1024 + 3
  const res = await request(`${sim.url}/rest/api/2/attachment/content/${size}`, { headers: { cookie: `JSESSIONID=${id}` } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-length'], String(size))
  t.equal(res.headers['content-type'], 'application/octet-stream')
  let offset = 0
  let mismatches = 0
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] !== downloadByteAt(offset + i)) mismatches++
    offset += chunk.length
  }
  t.equal(offset, size)
  t.equal(mismatches, 0)
})

t.test('an empty download and a download without identity', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'bob', 'bob-secret')
  const empty = await fetch(`${sim.url}/rest/api/2/attachment/content/0`, { headers: { cookie: `JSESSIONID=${id}` } })
  t.equal(empty.status, 200)
  t.equal((await empty.arrayBuffer()).byteLength, 0)
  t.equal((await fetch(`${sim.url}/rest/api/2/attachment/content/10`)).status, 401)
  t.equal((await fetch(`${sim.url}/rest/api/2/attachment/content/ten`, { headers: { cookie: `JSESSIONID=${id}` } })).status, 404)
})

t.test('a client that stops reading a download does not hurt the simulator', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'bob', 'bob-secret')
  const controller = new AbortController()
  const res = await fetch(`${sim.url}/rest/api/2/attachment/content/${200 * 1024 * 1024}`, { headers: { cookie: `JSESSIONID=${id}` }, signal: controller.signal })
  const reader = res.body?.getReader()
  await reader?.read()
  controller.abort()
  await reader?.read().catch(() => undefined)
  t.equal((await fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: `JSESSIONID=${id}` } })).status, 200)
})

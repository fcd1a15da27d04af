import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import t, { type Test } from 'tap'
import { basic, loginCookie, sleep, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// A client that sends its whole body before it reads (Python's http.client, urllib, requests)
// must get the proxy's early answer to a large upload, not a broken pipe: the proxy answers,
// reads and drops the rest of the body, and only then closes.

const MiB = 1024 * 1024
const TASK = '/rest/softwareplant-bigpicture/1.0/box/1/task'

const SCRIPT = String.raw`
import http.client, json, sys
port, size, chunked, auth = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "chunked", sys.argv[4]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
headers = {"Content-Type": "application/json", "X-Atlassian-Token": "no-check"}
headers["Cookie" if auth.startswith("JSESSIONID=") else "Authorization"] = auth
block = b"x" * 65536
def blocks():
    for _ in range(size // len(block)):
        yield block
try:
    if chunked:
        conn.request("POST", sys.argv[5], body=blocks(), headers=headers, encode_chunked=True)
    else:
        conn.request("POST", sys.argv[5], body=block * (size // len(block)), headers=headers)
    res = conn.getresponse()
    print(json.dumps({"status": res.status, "connection": res.getheader("Connection"), "body": res.read().decode()}))
except OSError as err:
    print(json.dumps({"error": type(err).__name__}))
`

const pythonMissing = await new Promise<boolean>((resolve) => {
  const probe = spawn('python3', ['--version'], { stdio: 'ignore' })
  probe.on('error', () => resolve(true))
  probe.on('exit', (code) => resolve(code !== 0))
})

async function python (args: string[]): Promise<Record<string, unknown>> {
  const child = spawn('python3', ['-c', SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString('utf8') })
  await once(child, 'exit')
  return JSON.parse(out) as Record<string, unknown>
}

async function brokenAuth (t: Test) {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, MAX_REPLAY_BODY_BYTES: String(64 * 1024) })
  sim.control.setAuthMode('error500')
  const port = new URL(proxy.url).port
  return { sim, proxy, port }
}

for (const framing of ['content-length', 'chunked']) {
  t.test(`python http.client, 32 MiB ${framing} upload refused early: it reads the 502`, { skip: pythonMissing ? 'python3 is not installed' : false }, async (t) => {
    const { proxy, port } = await brokenAuth(t)
    const answers = await Promise.all([1, 2, 3].map(async () => await python([port, String(32 * MiB), framing, basic('alice', 'alice-secret'), TASK])))
    for (const answer of answers) {
      t.equal(answer.status, 502, `answered, not ${String(answer.error)}`)
      t.equal(answer.connection, 'close')
      t.match(String(answer.body), /"code":"BIGPICTURE_AUTH_FAILED"/)
    }
    // The proxy still serves: the sockets it lingered on are gone, nothing else is stuck.
    const res = await fetch(`${proxy.url}/rest/api/2/myself`, { headers: { authorization: basic('alice', 'alice-secret') } })
    t.equal(res.status, 200)
    await res.arrayBuffer()
  })
}

t.test('python http.client, 32 MiB upload to a plain Jira route with a dead session: it reads Jira\'s 401', { skip: pythonMissing ? 'python3 is not installed' : false }, async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  sim.control.expireSessions('alice')
  const port = new URL(proxy.url).port
  for (const framing of ['content-length', 'chunked']) {
    const answer = await python([port, String(32 * MiB), framing, cookie, '/rest/api/2/issue/EA-1/attachments'])
    t.equal(answer.status, 401, `${framing}: answered, not ${String(answer.error)}`)
    t.equal(answer.connection, 'close', 'the connection does not carry the unread rest as a request')
  }
  t.equal(sim.stats.uploads.length, 0)
})

t.test('python http.client, 32 MiB BigPicture upload that BigPicture refuses before reading it: it reads the 401', { skip: pythonMissing ? 'python3 is not installed' : false }, async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, MAX_REPLAY_BODY_BYTES: String(64 * 1024) })
  // The token issued for the upload is revoked while its answer is on its way: BigPicture refuses
  // the upload at once, the body cannot be sent again, and its 401 is the answer.
  const release = sim.control.holdTokenAnswers()
  t.teardown(release)
  const answer = python([new URL(proxy.url).port, String(32 * MiB), 'content-length', basic('alice', 'alice-secret'), TASK])
  await until(() => sim.stats.calls.auth === 1)
  sim.control.revokeAllTokens()
  release()
  const { status, connection, error } = await answer
  t.equal(status, 401, `answered, not ${String(error)}`)
  t.equal(connection, 'close')
  t.equal(sim.stats.tasks.length, 0)
})

type Framing = 'content-length' | 'chunked'

/**
 * A raw client's upload to the BigPicture task route: the request head is sent at once, body
 * blocks go out framed as announced (16 MiB by length, or chunked), and whatever comes back is
 * kept. Errors are recorded, never thrown.
 */
async function openUpload (port: string, framing: Framing, halfOpen = false) {
  const socket = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: halfOpen })
  await once(socket, 'connect')
  let received = ''
  let failed: Error | undefined
  socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1') })
  socket.on('error', (err) => { failed = err })
  // (not events.once: writes after the close fail, and that error would reject it)
  const closed = new Promise((resolve) => socket.once('close', resolve))
  const length = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${16 * MiB}`
  socket.write(`POST ${TASK} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basic('alice', 'alice-secret')}\r\nContent-Type: application/json\r\n${length}\r\n\r\n`)
  return {
    socket,
    closed,
    received: () => received,
    failed: () => failed,
    send: (block: Buffer): boolean => socket.write(framing === 'chunked' ? Buffer.concat([Buffer.from(`${block.length.toString(16)}\r\n`), block, Buffer.from('\r\n')]) : block),
    /** Waits for the head of the proxy's answer. */
    answered: async (): Promise<void> => { await until(() => received.includes('\r\n\r\n')) },
    /** The client gives up in the middle of its body. */
    reset: async (): Promise<void> => {
      socket.resetAndDestroy()
      await closed
    }
  }
}

/** After the scenes below, an ordinary request still gets its answer. */
async function stillServing (t: Test, proxyUrl: string): Promise<void> {
  const res = await fetch(`${proxyUrl}/rest/api/2/myself`, { headers: { authorization: basic('alice', 'alice-secret') } })
  t.equal(res.status, 200, 'the proxy is still there')
  await res.arrayBuffer()
}

t.test('after the early answer the proxy reads and drops the rest of the body, then closes once the client is done', async (t) => {
  const { port } = await brokenAuth(t)
  // Half-open, as HTTP clients are: the proxy's FIN after its answer does not stop the writing.
  const upload = await openUpload(port, 'content-length', true)
  // The whole body, without looking at the answer, as a send-then-read client does.
  const block = Buffer.alloc(64 * 1024, 0x78)
  for (let sent = 0; sent < 16 * MiB && upload.failed() === undefined; sent += block.length) {
    if (!upload.send(block)) await Promise.race([once(upload.socket, 'drain'), upload.closed])
  }
  upload.socket.end()
  await upload.closed
  t.equal(upload.failed(), undefined, 'every byte of the body was taken, none reset')
  t.match(upload.received(), /^HTTP\/1\.1 502 /, 'the answer was there to read')
  t.match(upload.received(), /connection: close/i)
  t.match(upload.received(), /BIGPICTURE_AUTH_FAILED/)
})

t.test('a shutdown does not wait out a lingering upload: it gets one more second', async (t) => {
  const { proxy, port } = await brokenAuth(t)
  const upload = await openUpload(port, 'content-length', true)
  upload.send(Buffer.alloc(128 * 1024, 0x78))
  await upload.answered()
  t.match(upload.received(), /^HTTP\/1\.1 502 /)
  // A slow sender: a byte now and then, so the connection never looks idle.
  const trickle = setInterval(() => { if (!upload.socket.destroyed) upload.socket.write('x') }, 200)
  t.teardown(() => { clearInterval(trickle); upload.socket.destroy() })
  const outcome = await Promise.race([
    proxy.app.close().then(() => 'closed'),
    new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000))
  ])
  t.equal(outcome, 'closed', 'the proxy closed without waiting for the 30 s linger')
  await upload.closed
})

for (const framing of ['content-length', 'chunked'] as const) {
  t.test(`a ${framing} upload cut by its client after the early answer leaves the proxy serving`, async (t) => {
    const { proxy, port } = await brokenAuth(t)
    for (let round = 0; round < 3; round++) {
      const upload = await openUpload(port, framing, true)
      upload.send(Buffer.alloc(256 * 1024, 0x78))
      await upload.answered()
      t.match(upload.received(), /^HTTP\/1\.1 502 /)
      await upload.reset()
    }
    await sleep(200)
    await stillServing(t, proxy.url)
  })
}

t.test('a chunked upload whose client gives up while the proxy waits for its token leaves the proxy serving', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, MAX_REPLAY_BODY_BYTES: String(64 * 1024) })
  const release = sim.control.holdTokenAnswers()
  t.teardown(release)
  const upload = await openUpload(new URL(proxy.url).port, 'chunked')
  upload.send(Buffer.alloc(256 * 1024, 0x78))
  // Past the replay cap, so the body streams: the proxy now waits for a fresh token (held).
  await until(() => sim.stats.calls.auth === 1)
  await upload.reset()
  await sleep(100)
  release()
  await sleep(200)
  await stillServing(t, proxy.url)
})

for (const framing of ['content-length', 'chunked'] as const) {
  t.test(`a ${framing} upload whose client gives up while it streams toward a slow Jira leaves the proxy serving`, async (t) => {
    const sim = await startSimulator(t)
    const proxy = await startProxy(t, { JIRA_URL: sim.url, MAX_REPLAY_BODY_BYTES: String(64 * 1024) })
    sim.control.setLatency(300)
    for (const abortAfterMs of [100, 450, 800]) {
      const upload = await openUpload(new URL(proxy.url).port, framing)
      const block = Buffer.alloc(256 * 1024, 0x78)
      const started = Date.now()
      while (Date.now() - started < abortAfterMs) {
        upload.send(block)
        await sleep(20)
      }
      await upload.reset()
    }
    await sleep(1000)
    sim.control.setLatency(0)
    await stillServing(t, proxy.url)
  })
}

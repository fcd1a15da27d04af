import { type IncomingMessage, createServer } from 'node:http'
import { connect } from 'node:net'
import t from 'tap'
import { holdBody } from '../../src/proxy/body.js'

// A chunked body above the cap comes back as a stream that replays what was read, then the rest.
// Until undici reads it (the token is still on its way) or after it stopped (Jira answered
// early), nobody listens on that stream: a client going away then must not end the process.
t.test('a streamed body whose client goes away while nobody reads it: no uncaught error', async (t) => {
  const arrived = new Promise<IncomingMessage>((resolve) => {
    const server = createServer((req) => { resolve(req) })
    server.listen(0, '127.0.0.1')
    t.teardown(() => { server.closeAllConnections(); server.close() })
    server.once('listening', () => {
      const address = server.address()
      const socket = connect(typeof address === 'object' && address !== null ? address.port : 0, '127.0.0.1')
      socket.on('error', () => {})
      t.teardown(() => socket.destroy())
      const block = Buffer.alloc(256 * 1024, 0x78)
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${block.length.toString(16)}\r\n`)
      socket.write(block)
    })
  })
  const req = await arrived
  const held = await holdBody(req, 64 * 1024)
  if (held.kind !== 'stream') throw new Error(`expected a stream, got ${held.kind}`)
  // What node:http does when the client's connection closes in the middle of the body.
  req.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
  await new Promise((resolve) => held.stream.once('close', resolve))
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(held.stream.destroyed, 'the stream is destroyed with the request, and nothing was thrown')
})

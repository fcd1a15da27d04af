import { connect } from 'node:net'
import t from 'tap'
import { BP } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

/** Sends a request with `count` filler headers before a Cookie, and returns the status line. */
async function withHeaders (base: string, count: number, last: string): Promise<string> {
  const url = new URL(base)
  return await new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => {
      // Short lines: the whole head stays under node:http's size limit (16 KiB), whose own 431
      // (a different answer, on some Node versions sooner) is not what this test is about.
      let filler = ''
      for (let i = 0; i < count; i++) filler += `x${i}: y\r\n`
      socket.write(`GET ${BP}/box HTTP/1.1\r\nHost: ${url.host}\r\n${filler}${last}\r\nConnection: close\r\n\r\n`)
    })
    let answer = ''
    socket.on('data', (c: Buffer) => { answer += c.toString() })
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
  })
}

t.test('headers beyond those node:http keeps are not dropped silently: the request is refused with 431', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', PROXY_API_KEYS: 'gateway-key-0123456789abcdef', LOG_LEVEL: 'info' })
  // A wrong key after the filler would be lost, and the loopback caller would become the service identity.
  const many = await withHeaders(proxy.url, 1100, 'X-Proxy-Key: not-the-right-key')
  t.match(many, /^HTTP\/1\.1 431 /)
  t.match(many, /"code":"TOO_MANY_HEADERS"/)
  const few = await withHeaders(proxy.url, 900, 'X-Proxy-Key: not-the-right-key')
  t.match(few, /^HTTP\/1\.1 403 /, 'with fewer headers the wrong key is seen and refused')
  t.equal(sim.stats.requests, 0)
})

t.test('a head over node:http\'s size limit gets the same coded 431, not a bare one', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const big = await withHeaders(proxy.url, 0, `X-Big: ${'a'.repeat(20_000)}`)
  t.match(big, /^HTTP\/1\.1 431 /)
  t.match(big, /"code":"TOO_MANY_HEADERS"/)
  t.equal(sim.stats.requests, 0)
})

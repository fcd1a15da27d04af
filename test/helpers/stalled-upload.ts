import { type Socket, connect } from 'node:net'

export interface StalledUpload {
  /** Everything the proxy answered on this connection so far. */
  answer: () => string
  /** Sends the rest of the body. */
  finish: () => void
  /** Sends the next `n` bytes of the body. */
  more: (n: number) => void
  /** Resolves when the proxy closed the connection. */
  closed: Promise<void>
  socket: Socket
}

/**
 * A request over its own connection whose body is sent all but its last byte (or `sent` bytes),
 * then stalls: a client that stopped, or an attacker holding memory. `finish()` sends the rest.
 */
export async function stalledUpload (t: { teardown (fn: () => unknown): void }, base: string, options: { method?: string, path: string, headers?: Record<string, string>, bytes: number, sent?: number }): Promise<StalledUpload> {
  const url = new URL(base)
  const socket = connect(Number(url.port), url.hostname)
  socket.on('error', () => {})
  t.teardown(() => socket.destroy())
  let answer = ''
  socket.on('data', (c: Buffer) => { answer += c.toString('latin1') })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  const head = Object.entries({ host: url.host, 'content-type': 'application/json', ...options.headers, 'content-length': String(options.bytes) }).map(([k, v]) => `${k}: ${v}\r\n`).join('')
  // A JSON string the simulator accepts as a task once complete: {"name":"xxxx…"}
  const body = Buffer.alloc(options.bytes, 0x78)
  body.write('{"name":"', 0)
  body.write('"}', options.bytes - 2)
  socket.write(`${options.method ?? 'POST'} ${options.path} HTTP/1.1\r\n${head}\r\n`)
  let sent = options.sent ?? options.bytes - 1
  socket.write(body.subarray(0, sent))
  const more = (n: number): void => {
    socket.write(body.subarray(sent, sent + n))
    sent += n
  }
  return { answer: () => answer, finish: () => { more(options.bytes - sent) }, more, closed, socket }
}

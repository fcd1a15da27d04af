import type { FastifyReply } from 'fastify'
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

/** At most this long is spent reading and dropping a body nobody will use, after the answer. */
const LINGER_MS = 30_000
/** A client that sends nothing for this long is not coming back for its answer. */
const LINGER_IDLE_MS = 5_000

const lingering = new WeakSet<Socket>()

/**
 * For an answer sent before the request's body has fully arrived (a refusal of a streamed
 * upload). The connection cannot carry another request (the rest of the body would be read as
 * one), so it closes, but not at once: a socket closed with unread bytes resets the connection,
 * and a client still writing (Python's http.client, anything that reads only after it has sent)
 * then sees EPIPE or ECONNRESET and never the answer already on its way. As nginx's lingering
 * close: send the answer and a FIN, read and drop what still comes, and close when the client
 * stops (its FIN, 5 s without a byte, or 30 s in all).
 */
export function closeAfterBody (reply: FastifyReply): void {
  reply.header('connection', 'close')
  const req = reply.request.raw
  // The answer's socket: a request body that undici gave up on has had its `socket` taken away.
  const socket = reply.raw.socket
  if (socket === null || lingering.has(socket)) return
  lingering.add(socket)
  // node:http ends a `Connection: close` exchange with `socket.destroySoon()` once the answer is
  // written: this socket closes the lingering way instead.
  socket.destroySoon = () => { lingeringClose(socket, req) }
}

function lingeringClose (socket: Socket, req: IncomingMessage): void {
  if (socket.destroyed) return
  let seen = socket.bytesRead
  const close = (): void => {
    clearTimeout(total)
    clearInterval(idle)
    socket.destroy()
  }
  const total = setTimeout(close, LINGER_MS)
  const idle = setInterval(() => {
    if (socket.bytesRead === seen) close()
    seen = socket.bytesRead
  }, LINGER_IDLE_MS)
  socket.once('end', close)
  socket.once('close', () => {
    clearTimeout(total)
    clearInterval(idle)
  })
  socket.end()
  // The answer is out, and whatever was taking the body (a request toward Jira that Jira cut
  // short) is done with it, or destroyed it. node:http drops the rest of a body nobody reads
  // once it is told the request is dumped (what it does itself to a request no one ever read);
  // its parser then takes the bytes off the socket again, which a stalled reader had paused.
  dump(req)
  socket.resume()
}

/** `IncomingMessage#_dump`: node:http's own "drop the rest of this body" (there since Node 0.x). */
function dump (req: IncomingMessage): void {
  const own = (req as IncomingMessage & { _dump?: () => void })._dump
  if (typeof own === 'function') own.call(req)
}

import type { FastifyReply } from 'fastify'
import type { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'

/** At most this long is spent reading and dropping a body nobody will use, after the answer. */
const LINGER_MS = 30_000
/** Checked this often: a client that sent nothing since the last check is not coming back. */
const LINGER_IDLE_MS = 5_000
/** While the proxy shuts down, a lingering connection gets at most this much longer. */
const LINGER_CLOSING_MS = 1_000

/** The lingering connections of one server, so a shutdown can cut their wait short. */
interface Lingering {
  closing: boolean
  closes: Set<() => void>
}

const byServer = new WeakMap<object, Lingering>()
const marked = new WeakSet<Socket>()

/**
 * Called before every answer that may go out before the request's body has fully arrived (a
 * refusal of a streamed upload); a request already read in full needs nothing. The connection
 * cannot carry another request (the rest of the body would be read as one), so it closes, but not
 * at once: a socket closed with unread bytes resets the connection,
 * and a client still writing (Python's http.client, anything that reads only after it has sent)
 * then sees EPIPE or ECONNRESET and never the answer already on its way. As nginx's lingering
 * close: send the answer and a FIN, read and drop what still comes, and close when the client
 * stops (its FIN, nothing received for 5 to 10 s, or 30 s in all).
 */
export function closeAfterBody (reply: FastifyReply): void {
  const req = reply.request.raw
  if (req.complete) return
  reply.header('connection', 'close')
  // The answer's socket: a request body that undici gave up on has had its `socket` taken away.
  const socket = reply.raw.socket
  if (socket === null || marked.has(socket)) return
  marked.add(socket)
  const server = reply.server.server
  // node:http ends a `Connection: close` exchange with `socket.destroySoon()` once the answer is
  // written: this socket closes the lingering way instead.
  socket.destroySoon = () => { lingeringClose(socket, req, lingeringOf(server)) }
}

/** The server is shutting down: lingering connections get at most one more second. */
export function hurryLingering (server: object): void {
  const lingering = lingeringOf(server)
  lingering.closing = true
  for (const close of lingering.closes) setTimeout(close, LINGER_CLOSING_MS).unref()
}

function lingeringOf (server: object): Lingering {
  let lingering = byServer.get(server)
  if (lingering === undefined) {
    lingering = { closing: false, closes: new Set() }
    byServer.set(server, lingering)
  }
  return lingering
}

function lingeringClose (socket: Socket, req: IncomingMessage, lingering: Lingering): void {
  // The client has already stopped sending: nothing to wait for.
  if (socket.destroyed || socket.readableEnded) {
    Socket.prototype.destroySoon.call(socket)
    return
  }
  let seen = socket.bytesRead
  const close = (): void => { socket.destroy() }
  const total = setTimeout(close, lingering.closing ? LINGER_CLOSING_MS : LINGER_MS)
  const idle = setInterval(() => {
    if (socket.bytesRead === seen) close()
    seen = socket.bytesRead
  }, LINGER_IDLE_MS)
  lingering.closes.add(close)
  // The client is done: close once the answer has been flushed.
  socket.once('end', () => { if (socket.writableFinished) close(); else socket.once('finish', close) })
  socket.once('close', () => {
    clearTimeout(total)
    clearInterval(idle)
    lingering.closes.delete(close)
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

import httpProxy from '@fastify/http-proxy'
import Fastify from 'fastify'

/**
 * The floor the product is measured against: @fastify/http-proxy with its default options in
 * front of the stub, no logger, nothing else. Upstream URL from argv; reports its port over IPC.
 */
const upstream = process.argv[2]
if (upstream === undefined) throw new Error('usage: bare.js <upstream url>')

const app = Fastify()
await app.register(httpProxy, { upstream })
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send?.({ ready: true, port: typeof address === 'object' && address !== null ? address.port : 0 })
process.on('disconnect', () => process.exit(0))

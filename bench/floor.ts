import { createServer } from 'node:http'
import { Pool } from 'undici'

/**
 * The least a Node.js proxy can do, measured in the latency phase only: node:http in, one undici
 * pool out, headers and body passed on as they came, nothing else (no hop-by-hop handling, no
 * error answers worth the name, no routing). What it adds over a direct call is what the platform
 * costs on this machine, the reading against which the product's added latency means something;
 * it is not a proxy anyone should run. Upstream URL from argv; reports its port over IPC.
 */
const upstream = process.argv[2]
if (upstream === undefined) throw new Error('usage: floor.js <upstream url>')

const pool = new Pool(upstream, { connections: 64 })
const server = createServer((req, res) => {
  pool.request({ path: req.url ?? '/', method: req.method as 'GET', headers: req.headers, body: req.method === 'GET' ? null : req }).then((answer) => {
    res.writeHead(answer.statusCode, answer.headers)
    answer.body.pipe(res)
  }, () => {
    res.statusCode = 502
    res.end()
  })
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.send?.({ ready: true, port: typeof address === 'object' && address !== null ? address.port : 0 })
})
process.on('disconnect', () => process.exit(0))

import { parseSimulateArgs } from './args.js'
import { buildSimulator } from './index.js'

// Standalone entry: `node dist/src/simulator/main.js [--port N] [--host H] [--context-path /jira] [--users a:pw]`.
let args
try {
  args = parseSimulateArgs(process.argv.slice(2))
} catch (err) {
  console.error((err as Error).message)
  process.exit(2)
}
const simulator = buildSimulator({ contextPath: args.contextPath, users: args.users })
const url = await simulator.listen(args.port, args.host)
console.log(`Jira + BigPicture simulator listening on ${url} (users: ${Object.keys(args.users).join(', ')})`)
const stop = (): void => { simulator.close().then(() => process.exit(0), () => process.exit(1)) }
process.once('SIGINT', stop)
process.once('SIGTERM', stop)

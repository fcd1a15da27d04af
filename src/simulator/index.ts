import { createControl } from './control.js'
import { SimulatorServer } from './server.js'
import { createState } from './state.js'
import type { Simulator, SimulatorOptions } from './types.js'

export type {
  AuthMode, CallKind, ReauthMode, Simulator, SimulatorControl, SimulatorOptions, SimulatorStats
} from './types.js'
export { parseSimulateArgs, type SimulateArgs } from './args.js'
export { BIGPICTURE_APPS } from './routes/bigpicture.js'
export { downloadByteAt } from './routes/jira-api.js'
export { BASIC_DISABLED_MESSAGE } from './identity.js'

/**
 * A Jira Server/Data Center with the BigPicture apps (8.3+ JWT behaviour), in process. Build it,
 * `listen()`, point a client at the returned URL; `control` provokes failures, `stats` shows what
 * arrived.
 */
export function buildSimulator (options: SimulatorOptions = {}): Simulator {
  const state = createState(options)
  const server = new SimulatorServer(state, options.tls)
  const control = createControl(state, server)
  return {
    listen: (port, host) => server.listen(port, host),
    close: () => server.close(),
    get url () { return server.url },
    get port () { return server.port },
    control,
    stats: state.stats
  }
}

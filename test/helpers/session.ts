import type { Simulator, SimulatorOptions } from '../../src/simulator/index.js'
import { loginCookie } from './clients.js'
import { type StartedProxy, startProxy } from './proxy.js'
import { startSimulator } from './simulator.js'

/**
 * The most common scene: the simulator, the proxy in front of it, and alice logged in through the
 * proxy with a cookie, as a cookie-only script would be.
 */
export async function cookieSession (
  t: { teardown (fn: () => unknown): void },
  simulator: SimulatorOptions = {},
  env: Record<string, string> = {}
): Promise<{ sim: Simulator, proxy: StartedProxy, cookie: string }> {
  const sim = await startSimulator(t, simulator)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, ...env })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  return { sim, proxy, cookie }
}

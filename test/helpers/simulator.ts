import { buildSimulator, type Simulator, type SimulatorOptions } from '../../src/simulator/index.js'

/** Builds a simulator, listens on a free loopback port and closes it when the test ends. */
export async function startSimulator (t: { teardown (fn: () => unknown): void }, options?: SimulatorOptions): Promise<Simulator> {
  const sim = buildSimulator(options)
  await sim.listen(0)
  t.teardown(() => sim.close())
  return sim
}

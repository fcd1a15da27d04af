import type { SimulatorStats } from '../src/simulator/index.js'
import { sha256, soakIdOf } from './bodies.js'

/** What Jira recorded for one create-task body. */
export interface RecordedTask {
  sha256: string
  bytes: number
  user: string
  app: string
}

/**
 * Digests of every task body the simulator accepted, keyed by the soakId inside. The simulator
 * keeps each body verbatim; once digested the soak replaces it with an empty string, so a
 * ten-minute run with megabyte bodies does not hold them all in memory.
 */
export class JiraRecord {
  readonly bySoakId = new Map<string, RecordedTask[]>()
  /** Bodies with no soakId: nothing a soak client sent. */
  readonly foreign: RecordedTask[] = []
  readonly #stats: SimulatorStats
  #seen = 0

  constructor (stats: SimulatorStats) {
    this.#stats = stats
  }

  /** Digests the tasks recorded since the last call. */
  digest (): void {
    const tasks = this.#stats.tasks
    for (; this.#seen < tasks.length; this.#seen++) {
      const task = tasks[this.#seen] as SimulatorStats['tasks'][number]
      const bytes = Buffer.from(task.body, 'utf8')
      const entry = { sha256: sha256(bytes), bytes: bytes.length, user: task.user, app: task.app }
      const id = soakIdOf(task.body)
      if (id === undefined) this.foreign.push(entry)
      else {
        const list = this.bySoakId.get(id)
        if (list === undefined) this.bySoakId.set(id, [entry])
        else list.push(entry)
      }
      task.body = ''
    }
  }

  get count (): number {
    return this.#seen
  }
}

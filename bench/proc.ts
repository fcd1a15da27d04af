import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

/**
 * Child processes and what the kernel says about them. The two proxies share one CPU so machine
 * noise hits both alike; everything else (stub, load generators, this process) runs on the others.
 */
const CPUS = availableParallelism()
export const CAN_PIN = CPUS >= 2 && spawnSync('taskset', ['-V']).status === 0
export const PROXY_CPU = '1'
export const OTHER_CPUS = CPUS > 2 ? `0,2-${CPUS - 1}` : '0'
/** `/proc/<pid>/stat` counts CPU time in these; 100 on every Linux this runs on. */
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100

/** Pins this process (all its threads) to the CPUs the proxies do not use. */
export function pinSelf (): void {
  if (CAN_PIN) spawnSync('taskset', ['-a', '-p', '-c', OTHER_CPUS, String(process.pid)], { stdio: 'ignore' })
}

/** The command that runs `args` on `cpus` (taskset), or `args` as they are when pinning is not possible. */
export function pinned (cpus: string, args: string[]): [string, string[]] {
  return CAN_PIN ? ['taskset', ['-c', cpus, ...args]] : [args[0] as string, args.slice(1)]
}

/** A Node child spoken to over IPC; `request` sends a message and waits for the answer with its id. */
export class IpcChild {
  readonly child: ChildProcess
  readonly pid: number
  #next = 1
  readonly #waiting = new Map<number, (message: Record<string, unknown>) => void>()

  private constructor (child: ChildProcess) {
    this.child = child
    this.pid = child.pid as number
    child.on('message', (message: Record<string, unknown>) => {
      const resolve = this.#waiting.get(message.id as number)
      this.#waiting.delete(message.id as number)
      resolve?.(message)
    })
  }

  /** Starts `node script args` pinned to `cpus` and resolves with its `ready` message. */
  static async start (cpus: string, script: string, args: string[] = []): Promise<{ ipc: IpcChild, ready: Record<string, unknown> }> {
    const [cmd, argv] = pinned(cpus, [process.execPath, script, ...args])
    const child = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.once('message', resolve)
      child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready`)))
    })
    return { ipc: new IpcChild(child), ready }
  }

  async request<T> (message: Record<string, unknown>): Promise<T> {
    const id = this.#next++
    const answer = await new Promise<Record<string, unknown>>((resolve) => {
      this.#waiting.set(id, resolve)
      this.child.send({ ...message, id })
    })
    if (typeof answer.error === 'string') throw new Error(answer.error)
    return answer.result as T
  }

  stop (): Promise<void> {
    return stopChild(this.child)
  }
}

export interface Product {
  child: ChildProcess
  pid: number
  url: string
  logFile: string
}

/**
 * Throws, naming the product's last logged error, if it is no longer running: a figure measured
 * against a crashed process would be meaningless, and the crash is the finding.
 */
export function assertAlive (product: Product, during: string): void {
  if (product.child.exitCode === null && product.child.signalCode === null) return
  const lines = readFileSync(product.logFile, 'utf8').split('\n')
  const last = lines.reverse().find((l) => /"level":(50|60)/.test(l))
  throw new Error(`the product exited during ${during} (code ${product.child.exitCode ?? product.child.signalCode}); its last error: ${last ?? 'none logged'}`)
}

/**
 * Starts the built CLI like a user would, on port 0, its log going to `logFile`; the port comes
 * from the "listening on" line.
 */
export async function startProduct (entry: string, env: Record<string, string>, logFile: string, cwd: string, nodeArgs: string[] = []): Promise<Product> {
  const out = openSync(logFile, 'w')
  const [cmd, argv] = pinned(PROXY_CPU, [process.execPath, ...nodeArgs, entry])
  const child = spawn(cmd, argv, { cwd, env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, stdio: ['ignore', out, 'inherit'] })
  closeSync(out)
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the product exited with ${child.exitCode}; see ${logFile}`)
    const match = /"msg":"listening on (http:\/\/[^"]+)"/.exec(readFileSync(logFile, 'utf8'))
    if (match !== null) return { child, pid: child.pid as number, url: match[1] as string, logFile }
    await sleep(50)
  }
  child.kill('SIGKILL')
  throw new Error(`the product did not log "listening on" within 15 s; see ${logFile}`)
}

export async function stopChild (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds (pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name may hold spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/** Idle and total jiffies of one CPU so far (`/proc/stat`), to tell whether it was saturated. */
export function cpuJiffies (cpu: string): { idle: number, total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith(`cpu${cpu} `)) ?? ''
  const fields = line.trim().split(/\s+/).slice(1).map(Number)
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) }
}

/** Resident set size in bytes. */
export function rssBytes (pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? 0 : Number(match[1]) * 1024
}

/** Samples RSS every few milliseconds until stopped; the peak is what a buffered body would show. */
export function sampleRss (pid: number, everyMs = 20): { stop: () => { peak: number, samples: number } } {
  let peak = rssBytes(pid)
  let samples = 1
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid))
    samples++
  }, everyMs)
  return {
    stop () {
      clearInterval(timer)
      peak = Math.max(peak, rssBytes(pid))
      return { peak, samples: samples + 1 }
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

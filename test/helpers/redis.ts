import { type ChildProcess, spawn } from 'node:child_process'
import { Redis } from 'ioredis'
import { answersPing, freePort } from '../../soak/store-process.js'
import { sleep } from './clients.js'

/** A real redis-server on a free loopback port, in memory only, stopped when the test ends. */
export interface RedisServer {
  port: number
  /** `redis://127.0.0.1:<port>` */
  url: string
  /** A plain client to look into the server (closed when the test ends). */
  client: () => Redis
  /** Kills the server at once (SIGKILL): an outage, everything it held is lost. */
  kill: () => Promise<void>
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  freeze: () => void
  thaw: () => void
  /** Starts it again on the same port (after `kill`). */
  start: () => Promise<void>
}

/**
 * Starts `redis-server` (Debian's `redis-server` package; `.ci/run` installs it when missing).
 * Redis needs a concrete port, so one is found free first by binding port 0.
 */
export async function startRedis (t: { teardown (fn: () => unknown): void }, options: { password?: string } = {}): Promise<RedisServer> {
  const port = await freePort()
  const auth = options.password === undefined ? [] : ['--requirepass', options.password]
  let child: ChildProcess | undefined
  const clients: Redis[] = []

  const start = async (): Promise<void> => {
    let output = ''
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...auth], { stdio: ['ignore', 'pipe', 'pipe'] })
    started.stdout?.on('data', (c: Buffer) => { output += c.toString() })
    started.stderr?.on('data', (c: Buffer) => { output += c.toString() })
    child = started
    for (let attempt = 0; attempt < 200; attempt++) {
      if (started.exitCode !== null) throw new Error(`redis-server exited ${started.exitCode}: ${output}`)
      if (await answersPing(port)) return
      await sleep(25)
    }
    throw new Error(`redis-server did not answer PING on port ${port}: ${output}`)
  }

  const kill = async (): Promise<void> => {
    const running = child
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGCONT')
    running.kill('SIGKILL')
    await exited
  }

  // Registered first: a server that started but never answered is stopped too, or it would keep
  // the test process alive until tap's timeout.
  t.teardown(async () => {
    for (const c of clients) c.disconnect()
    await kill()
  })
  await start()
  return {
    port,
    url: options.password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}`,
    client: () => {
      const c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, password: options.password })
      c.on('error', () => {})
      clients.push(c)
      return c
    },
    kill,
    freeze: () => { child?.kill('SIGSTOP') },
    thaw: () => { child?.kill('SIGCONT') },
    start
  }
}



import { type ChildProcess, spawn } from 'node:child_process'
import { createConnection, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** The replicas' shared store for a soak run: a real `redis-server` on a free loopback port. */
export interface StoreProcess {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string
  /** Kills the server at once (SIGKILL): an outage, everything it held is lost. */
  kill (): Promise<void>
  /** Starts it again on the same port, empty; resolves once it answers PING. */
  start (): Promise<void>
  /** Whether the server is running now. */
  readonly up: boolean
}

/**
 * Starts `redis-server` in memory only (no RDB, no AOF, so a kill loses everything, as a store
 * without persistence would). Redis needs a concrete port, so one is found free first.
 */
export async function startStoreProcess (command = 'redis-server'): Promise<StoreProcess> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null

  // One start at a time: the fault's end and the schedule's stop may both ask for it.
  let starting: Promise<void> | undefined
  const start = async (): Promise<void> => {
    if (running()) return
    starting ??= launch().finally(() => { starting = undefined })
    await starting
  }
  const launch = async (): Promise<void> => {
    let output = ''
    const started = spawn(command, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
    started.stdout?.on('data', (c: Buffer) => { output = (output + c.toString()).slice(-4096) })
    started.stderr?.on('data', (c: Buffer) => { output = (output + c.toString()).slice(-4096) })
    const failed = new Promise<Error>((resolve) => started.once('error', resolve))
    child = started
    for (let attempt = 0; attempt < 400; attempt++) {
      const error = await Promise.race([failed, sleep(25, undefined)])
      if (error !== undefined) throw new Error(`${command} could not be started: ${error.message}`)
      if (started.exitCode !== null) throw new Error(`${command} exited ${started.exitCode}: ${output}`)
      if (await answersPing(port)) return
    }
    throw new Error(`${command} did not answer PING on port ${port}: ${output}`)
  }

  const kill = async (): Promise<void> => {
    const target = child
    if (target === undefined || !running()) return
    const exited = new Promise((resolve) => target.once('exit', resolve))
    target.kill('SIGKILL')
    await exited
  }

  try {
    await start()
  } catch (err) {
    // A server that started but never answered must not outlive the failed start.
    await kill()
    throw err
  }
  return { url: `redis://127.0.0.1:${port}`, kill, start, get up () { return running() } }
}

/** A port nothing listens on now, found by binding port 0 (Redis needs a concrete port). */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (typeof address !== 'object' || address === null) throw new Error('no free port')
  return address.port
}

/** Whether a Redis server on this loopback port answers PING. */
export async function answersPing (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' })
    let reply = ''
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (c: Buffer) => {
      reply += c.toString()
      // A server with a password answers NOAUTH: it is up all the same.
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'))
    })
  })
}

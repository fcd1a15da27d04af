import { type ChildProcessByStdio, spawn } from 'node:child_process'
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { createInterface } from 'node:readline'

/** The proxy under test: the built CLI in its own process, configured by the environment. */
export interface ProxyProcess {
  readonly pid: number
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** Log lines by pino level name (info, warn, error, fatal...). */
  readonly logLevels: Record<string, number>
  /** The first error/fatal log lines, messages only (never headers: the proxy redacts them anyway). */
  readonly errorLines: string[]
  /** The tail of stderr. */
  stderrTail (): string
  /** Set when the process ended before `stop()` asked it to. */
  readonly crashed: { code: number | null, signal: string | null } | undefined
  /** SIGTERM, then wait for the exit (SIGKILL after `graceMs`). Resolves the exit code or signal. */
  stop (graceMs?: number): Promise<{ code: number | null, signal: string | null, ms: number }>
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
const LISTENING = /listening on (http:\/\/[^\s"]+)/

/**
 * Starts `node <cli>` with `env` (and nothing inherited but PATH, so neither a test runner's
 * NODE_OPTIONS nor a `.env` file in the working directory changes what is measured) and resolves
 * once its "listening on" line names the port.
 */
export async function startProxyProcess (cli: string, env: Record<string, string>, logFile?: string, timeoutMs = 15_000): Promise<ProxyProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'soak-proxy-'))
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(process.execPath, [cli], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  if (logFile !== undefined) child.stdout.pipe(createWriteStream(logFile))
  const logLevels: Record<string, number> = {}
  const errorLines: string[] = []
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-8192) })

  let stopping = false
  let crashed: { code: number | null, signal: string | null } | undefined
  const exit = new Promise<{ code: number | null, signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) crashed = { code, signal }
      resolve({ code, signal })
    })
  })

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the proxy did not say "listening on" within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs)
    const lines = createInterface({ input: child.stdout })
    let found = false
    lines.on('line', (line) => {
      const level = /"level":(\d+)/.exec(line)?.[1]
      const name = level === undefined ? 'other' : LEVELS[Number(level)] ?? level
      logLevels[name] = (logLevels[name] ?? 0) + 1
      if ((name === 'error' || name === 'fatal') && errorLines.length < 20) errorLines.push(summarizeLogLine(line))
      if (!found) {
        const match = LISTENING.exec(line)
        if (match !== null) {
          found = true
          clearTimeout(timer)
          resolve(match[1] as string)
        }
      }
    })
    void exit.then(({ code, signal }) => {
      if (found) return
      clearTimeout(timer)
      reject(new Error(`the proxy exited (${code ?? signal}) before listening; stderr: ${stderr}`))
    })
  })

  return {
    pid: child.pid as number,
    url,
    logLevels,
    errorLines,
    stderrTail: () => stderr,
    get crashed () { return crashed },
    async stop (graceMs = 15_000) {
      stopping = true
      const started = performance.now()
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      const result = await exit
      clearTimeout(killer)
      rmSync(cwd, { recursive: true, force: true })
      return { ...result, ms: Math.round(performance.now() - started) }
    }
  }
}

function summarizeLogLine (line: string): string {
  try {
    const parsed = JSON.parse(line) as { msg?: string, code?: string, err?: { type?: string, message?: string } }
    return [parsed.msg, parsed.code, parsed.err?.type, parsed.err?.message].filter((x) => x !== undefined).join(' | ')
  } catch {
    return line.slice(0, 300)
  }
}

/** One reading of the process's resources from /proc (Linux). */
export interface ProcessSample {
  rssBytes: number | undefined
  fds: number | undefined
  sockets: number | undefined
}

export function sampleProcess (pid: number): ProcessSample {
  let rssBytes: number | undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]
    rssBytes = kb === undefined ? undefined : Number(kb) * 1024
  } catch {
    rssBytes = undefined
  }
  let fds: number | undefined
  let sockets: number | undefined
  try {
    const entries = readdirSync(`/proc/${pid}/fd`)
    fds = entries.length
    sockets = 0
    for (const fd of entries) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++
      } catch {
        // closed between readdir and readlink
      }
    }
  } catch {
    fds = undefined
    sockets = undefined
  }
  return { rssBytes, fds, sockets }
}

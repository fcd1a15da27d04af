import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The built entry, as `npx bigpicture-auth-proxy` runs it. `npm test` builds before testing. */
export const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url))
export const built = existsSync(CLI)

export interface Started {
  child: ChildProcess
  url: string
  stdout: () => string
  stderr: () => string
  exited: Promise<number | null>
}

/** Runs the CLI to completion with only the given environment (plus PATH). */
export async function runCli (args: string[], env: Record<string, string>, cwd = '/'): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stdout, stderr }
}

/** Starts the proxy with PORT=0 and resolves once its "listening" line names the port. */
export async function startCli (t: { teardown (fn: () => unknown): void }, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, cwd: '/' })
  let out = ''
  let err = ''
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stdout: ${out} stderr: ${err}`)), 10_000)
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /"msg":"listening on (https?:\/\/[^"]+)"/.exec(out)
      if (m !== null) {
        clearTimeout(timer)
        resolve(m[1] as string)
      }
    })
    child.stderr.on('data', (c: Buffer) => { err += c.toString() })
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`exited ${code}: ${err}`)) })
  })
  return { child, url, stdout: () => out, stderr: () => err, exited }
}

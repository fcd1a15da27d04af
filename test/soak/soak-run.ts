import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The soak's entry point as `npm run soak` runs it (built by `npm run build`). */
export const SOAK_RUN = fileURLToPath(new URL('../../dist/soak/run.js', import.meta.url))

/** The parts of the soak's JSON report the tests read. */
export interface SoakJson {
  pass: boolean
  invariants: Array<{ name: string, pass: boolean, checked: number, violations: number, examples: string[] }>
  faults: { injected: Array<{ name: string, startMs: number, endMs: number | undefined }>, clientAborts: number }
  requests: { started: number, byOutcome: Record<string, number> }
  replicas?: Array<{ pid: number, crashed: unknown }>
}

/**
 * Runs the built soak with `args` and resolves its exit code, its output and its JSON report (when
 * it wrote one to `jsonPath`). Nothing of the test runner's environment (its NODE_OPTIONS loaders,
 * coverage) reaches the soak.
 */
export async function runBuiltSoak (args: string[], jsonPath: string): Promise<{ code: number | null, output: string, report: SoakJson | undefined }> {
  const { code, output } = await new Promise<{ code: number | null, output: string }>((resolve) => {
    const child = spawn(process.execPath, [SOAK_RUN, ...args, '--json', jsonPath], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let text = ''
    child.stdout.on('data', (chunk: Buffer) => { text += chunk.toString('utf8') })
    child.stderr.on('data', (chunk: Buffer) => { text += chunk.toString('utf8') })
    child.on('close', (exitCode) => resolve({ code: exitCode, output: text }))
  })
  const report = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, 'utf8')) as SoakJson : undefined
  return { code, output, report }
}

/**
 * Every invariant of a report holds and was really checked, and the soak exited 0: the closing
 * assertions of every soak test.
 */
export function assertInvariantsHeld (t: { ok: (value: unknown, message: string) => void, equal: (found: unknown, wanted: unknown, message: string) => void }, report: Pick<SoakJson, 'invariants'>, code: number | null, output: string): void {
  for (const inv of report.invariants) {
    const why = inv.examples.length === 0 ? '' : `\n  ${inv.examples.slice(0, 5).join('\n  ')}`
    t.ok(inv.pass, `${inv.name}: ${inv.violations} violation(s) in ${inv.checked} checks${why}`)
    t.ok(inv.checked > 0, `${inv.name} was actually checked`)
  }
  t.equal(code, 0, `the soak exits 0 when every invariant holds${code === 0 ? '' : `\n${output.slice(-2000)}`}`)
}

import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { assertInvariantsHeld } from './soak-run.js'

// The short soak of soak/README.md, through the built files exactly as `npm run soak` runs them:
// the simulator, the proxy as its own process (dist/src/cli.js), the fault schedule, every invariant.
const RUN = fileURLToPath(new URL('../../dist/soak/run.js', import.meta.url))
const DURATION_SECONDS = 20

interface Report {
  pass: boolean
  invariants: Array<{ name: string, pass: boolean, checked: number, violations: number, examples: string[] }>
  faults: { injected: Array<{ name: string }>, clientAborts: number }
  requests: { started: number, byOutcome: Record<string, number> }
}

function runSoak (args: string[]): Promise<{ code: number | null, output: string }> {
  return new Promise((resolve) => {
    // Nothing of the test runner's environment (its NODE_OPTIONS loaders, coverage) reaches the soak.
    const child = spawn(process.execPath, [RUN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8') })
    child.on('close', (code) => resolve({ code, output }))
  })
}

if (!existsSync(RUN)) {
  t.test('short soak', { skip: `${RUN} is missing: run \`npm run build\` first (npm test does it in pretest)` }, () => {})
} else {
  t.test(`a ${DURATION_SECONDS}-second soak under the full fault schedule keeps every invariant`, { timeout: 90_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'soak-test-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const json = join(dir, 'report.json')
    const { code, output } = await runSoak(['--duration', String(DURATION_SECONDS), '--identities', '40', '--rps', '100', '--quiet', '--json', json])
    t.ok(existsSync(json), 'the JSON report was written')
    if (!existsSync(json)) {
      t.fail(`no report; the soak said:\n${output.slice(-4000)}`)
      return
    }
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report
    t.ok(report.requests.started > DURATION_SECONDS * 50, `load was offered (${report.requests.started} requests)`)
    const kinds = new Set(report.faults.injected.map((f) => f.name))
    t.ok(kinds.size >= 10, `every kind of fault ran (${[...kinds].join(', ')})`)
    t.ok(report.faults.clientAborts > 0, 'clients aborted requests mid-way')
    t.ok(report.invariants.length >= 13, 'every invariant was evaluated')
    assertInvariantsHeld(t, report, code, output)
  })
}

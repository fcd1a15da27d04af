import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { SOAK_RUN, assertInvariantsHeld, runBuiltSoak } from './soak-run.js'

// The short soak of soak/README.md, through the built files exactly as `npm run soak` runs them:
// the simulator, the proxy as its own process (dist/src/cli.js), the fault schedule, every invariant.
const DURATION_SECONDS = 20

if (!existsSync(SOAK_RUN)) {
  t.test('short soak', { skip: `${SOAK_RUN} is missing: run \`npm run build\` first (npm test does it in pretest)` }, () => {})
} else {
  t.test(`a ${DURATION_SECONDS}-second soak under the full fault schedule keeps every invariant`, { timeout: 90_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'soak-test-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const { code, output, report } = await runBuiltSoak(['--duration', String(DURATION_SECONDS), '--identities', '40', '--rps', '100', '--quiet'], join(dir, 'report.json'))
    t.ok(report !== undefined, 'the JSON report was written')
    if (report === undefined) {
      t.fail(`no report; the soak said:\n${output.slice(-4000)}`)
      return
    }
    t.ok(report.requests.started > DURATION_SECONDS * 50, `load was offered (${report.requests.started} requests)`)
    const kinds = new Set(report.faults.injected.map((f) => f.name))
    t.ok(kinds.size >= 10, `every kind of fault ran (${[...kinds].join(', ')})`)
    t.ok(report.faults.clientAborts > 0, 'clients aborted requests mid-way')
    t.ok(report.invariants.length >= 13, 'every invariant was evaluated')
    assertInvariantsHeld(t, report, code, output)
  })
}

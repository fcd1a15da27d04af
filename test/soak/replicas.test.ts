import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { SOAK_RUN, assertInvariantsHeld, runBuiltSoak } from './soak-run.js'

// Two proxy processes sharing one redis-server, the load spread over both, and the store killed
// and started again mid-run: the invariants are the single proxy's, a store outage excuses nothing.
const DURATION_SECONDS = 20

const redisMissing = spawnSync('redis-server', ['--version']).error !== undefined
const skip = !existsSync(SOAK_RUN)
  ? `${SOAK_RUN} is missing: run \`npm run build\` first (npm test does it in pretest)`
  : redisMissing ? 'redis-server is not installed (.ci/run installs it)' : false

t.test(`a ${DURATION_SECONDS}-second soak over two replicas sharing a store, the store killed mid-run, keeps every invariant`, {
  timeout: 100_000,
  skip
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'soak-replicas-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const { code, output, report } = await runBuiltSoak(['--duration', String(DURATION_SECONDS), '--identities', '40', '--rps', '100', '--replicas', '2', '--quiet'], join(dir, 'report.json'))
  if (report === undefined) {
    t.fail(`no report; the soak said:\n${output.slice(-4000)}`)
    return
  }
  t.equal(report.replicas?.length, 2, 'two proxy processes ran')
  t.same(report.replicas?.map((r) => r.crashed), [undefined, undefined], 'neither replica exited during the run')
  t.ok(report.requests.started > DURATION_SECONDS * 50, `load was offered (${report.requests.started} requests)`)
  const storeDown = report.faults.injected.filter((f) => f.name === 'store-down')
  t.ok(storeDown.length >= 1 && storeDown.every((f) => f.endMs !== undefined), `the store was killed and started again (${storeDown.length} time(s))`)
  const kinds = new Set(report.faults.injected.map((f) => f.name))
  t.ok(kinds.size >= 11, `every kind of fault ran (${[...kinds].join(', ')})`)
  t.ok(report.invariants.length >= 13, 'every invariant was evaluated')
  assertInvariantsHeld(t, report, code, output)
})

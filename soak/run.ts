#!/usr/bin/env node
import { writeFileSync } from 'node:fs'
import { USAGE, UsageError, parseOptions } from './options.js'
import { formatReport } from './report.js'
import { runSoak } from './soak.js'

/**
 * `node dist/soak/run.js --duration 60 --identities 50 --rps 300 [--json out.json]`: runs the soak,
 * prints the report, exits 0 when every invariant held and 1 otherwise (2: bad arguments).
 */
async function main (argv: string[]): Promise<number> {
  let options
  try {
    options = parseOptions(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`soak: ${err.message}\n\n${USAGE}\n`)
    return 2
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  const verbose = options.verbose
  const report = await runSoak(options, (line) => { if (verbose) process.stdout.write(`soak: ${line}\n`) })
  process.stdout.write(`${formatReport(report)}\n`)
  if (options.jsonPath !== undefined) {
    writeFileSync(options.jsonPath, `${JSON.stringify(report, null, 2)}\n`)
    process.stdout.write(`JSON report: ${options.jsonPath}\n`)
  }
  return report.pass ? 0 : 1
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`soak: the run itself failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 3
})

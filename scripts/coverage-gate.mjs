#!/usr/bin/env node
// Fails the test run when coverage of src/ drops below the gate. tap writes the summary
// (.taprc: coverage-report json-summary); this reads it so the gate is a number, not 100% or nothing.
import { readFileSync } from 'node:fs'

const GATE = { lines: 85, statements: 85, functions: 85, branches: 75 }
const file = process.argv[2] ?? '.tap/report/coverage-summary.json'
let total
try {
  total = JSON.parse(readFileSync(file, 'utf8')).total
} catch (err) {
  console.error(`coverage gate: cannot read ${file} (${err.code ?? err.message})`)
  process.exit(1)
}
const misses = Object.entries(GATE).filter(([k, min]) => total[k].pct < min)
for (const [k, min] of misses) console.error(`coverage gate: ${k} ${total[k].pct}% is below ${min}%`)
if (misses.length === 0) console.log(`coverage gate: ${Object.keys(GATE).map((k) => `${k} ${total[k].pct}%`).join(', ')} (gate ${JSON.stringify(GATE)})`)
process.exit(misses.length === 0 ? 0 : 1)

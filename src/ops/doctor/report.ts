/** Where the checks say what they found: one line each, with a hint under each failure. */
export interface Report {
  pass: (text: string) => void
  fail: (text: string, hint: string) => void
  /** A remark that is neither a pass nor a failure (why a check was not run). */
  note: (text: string) => void
}

const PASS = '✔'
const FAIL = '✘'

/** A report that prints as it goes and counts the failures. */
export function printedReport (print: (line: string) => void): Report & { readonly failures: number } {
  let failures = 0
  return {
    pass: (text) => print(`${PASS} ${text}`),
    fail: (text, hint) => {
      failures++
      print(`${FAIL} ${text}`)
      print(`    -> ${hint}`)
    },
    note: (text) => print(`  (${text})`),
    get failures () { return failures }
  }
}

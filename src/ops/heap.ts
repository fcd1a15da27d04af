/**
 * How far V8 lets the old generation grow past what survived the last full collection before it
 * collects again. V8's own headroom (up to 300%) multiplies a heap whose lasting part is the
 * identity cache; 15% costs a few incremental collections while the cache grows, none once it holds.
 */
export const HEAP_GROWING_PERCENT = 15

/**
 * The V8 flag the process sets at start, or `undefined` when the operator chose a growth policy
 * of their own on the command line (`node --heap-growing-percent=… cli.js`).
 */
export function heapGrowthFlag (execArgv: readonly string[]): string | undefined {
  const chosen = execArgv.some((arg) => /^--heap[-_]growing[-_]percent(=|$)/.test(arg))
  return chosen ? undefined : `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
}

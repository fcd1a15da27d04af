/**
 * How far V8 lets the old generation grow past what survived the last full collection before it
 * collects again. V8 picks up to 300% on its own when collections are cheap, which suits a process
 * whose heap is mostly short-lived garbage. This proxy's lasting heap is its identity cache, so
 * that headroom multiplies the cache: filling it with new identities, the old generation grew from
 * 28 to 116 MB between two full collections. With 15% the process holds little more than it uses,
 * for a few extra incremental collections while the cache grows (none while it holds steady).
 * In repeated runs of the benchmark's memory phase (100 000 identities), 30% left 198.6–200.9 MB
 * and 15% 196.5–196.6 MB; 10% nothing less. V8 grows the old generation by at least a few MB at
 * a time whatever the percent, so below a large cache this changes nothing.
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

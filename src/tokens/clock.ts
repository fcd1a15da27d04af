/**
 * Jira's clock may differ from ours; a token's `exp` is in Jira's time. The offset is learned from
 * the `Date` header of each auth answer (second resolution, which the refresh skew absorbs).
 */
export function clockOffsetMs (dateHeader: string | string[] | undefined, receivedAt: number): number {
  if (typeof dateHeader !== 'string') return 0
  const jiraNow = Date.parse(dateHeader)
  return Number.isNaN(jiraNow) ? 0 : jiraNow - receivedAt
}

/** Local time (ms) at which a token with Jira-clock `exp` (seconds) expires. */
export function localExpiry (expSeconds: number, offsetMs: number): number {
  return expSeconds * 1000 - offsetMs
}

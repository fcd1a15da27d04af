/**
 * Reading and writing the `JSESSIONID` pair of a `Cookie` header without disturbing the other
 * cookies. Pure string work; malformed input yields `undefined`, never an exception.
 */
const NAME = 'JSESSIONID='

/** The first non-empty `JSESSIONID` value in a Cookie header. */
export function findSessionId (cookie: string | undefined): string | undefined {
  if (cookie === undefined) return undefined
  let from = 0
  for (;;) {
    const at = cookie.indexOf(NAME, from)
    if (at < 0) return undefined
    from = at + NAME.length
    // Only a whole cookie name counts: start of header or after `;` (optionally spaced).
    let before = at - 1
    while (before >= 0 && (cookie.charCodeAt(before) === 32 || cookie.charCodeAt(before) === 9)) before--
    if (before >= 0 && cookie.charCodeAt(before) !== 59 /* ; */) continue
    let end = cookie.indexOf(';', from)
    if (end < 0) end = cookie.length
    let value = cookie.slice(from, end).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (value !== '' && /^[\x21-\x7e]+$/.test(value)) return value
  }
}

/** The Cookie header with every `JSESSIONID` pair replaced by the given session. */
export function withSessionId (cookie: string | undefined, sessionId: string): string {
  const pair = NAME + sessionId
  if (cookie === undefined || cookie === '') return pair
  if (!cookie.includes(NAME)) {
    // No `a=1;; JSESSIONID=…` from a header that ends in a separator.
    let end = cookie.length
    while (end > 0 && (cookie[end - 1] === ';' || cookie[end - 1] === ' ' || cookie[end - 1] === '\t')) end--
    return end === 0 ? pair : `${cookie.slice(0, end)}; ${pair}`
  }
  const kept = cookie.split(';').map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith(NAME))
  kept.push(pair)
  return kept.join('; ')
}

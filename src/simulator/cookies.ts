/** Every JSESSIONID value in a Cookie header, in order; malformed pairs are skipped. */
export function sessionIdsFromCookie (header: string | undefined): string[] {
  if (header === undefined) return []
  const ids: string[] = []
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq === -1 || pair.slice(0, eq).trim() !== 'JSESSIONID') continue
    ids.push(pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'))
  }
  return ids
}

/** The Set-Cookie value for a new session: `JSESSIONID=<id>; Path=<context path or />; HttpOnly[; Secure]`. */
export function sessionCookie (id: string, contextPath: string, secure: boolean): string {
  return `JSESSIONID=${id}; Path=${contextPath === '' ? '/' : contextPath}; HttpOnly${secure ? '; Secure' : ''}`
}

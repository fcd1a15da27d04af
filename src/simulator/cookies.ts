/** Every value of the cookie `name` in a Cookie header, in order, unquoted; malformed pairs are skipped. */
export function cookieValues (header: string | undefined, name: string): string[] {
  if (header === undefined) return []
  const values: string[] = []
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue
    values.push(pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'))
  }
  return values
}

/** Every JSESSIONID value in a Cookie header, in order; malformed pairs are skipped. */
export const sessionIdsFromCookie = (header: string | undefined): string[] => cookieValues(header, 'JSESSIONID')

/** The Set-Cookie value for a new session: `JSESSIONID=<id>; Path=<context path or />; HttpOnly[; Secure]`. */
export function sessionCookie (id: string, contextPath: string, secure: boolean): string {
  return `JSESSIONID=${id}; Path=${contextPath === '' ? '/' : contextPath}; HttpOnly${secure ? '; Secure' : ''}`
}


/**
 * Reading a JWT's `exp` without verifying it: the proxy is not the audience, it only needs to know
 * when BigPicture will stop accepting the token. Pure and allocation-light; never throws.
 */
export function readJwtExpiry (token: string): number | undefined {
  const first = token.indexOf('.')
  const second = first < 0 ? -1 : token.indexOf('.', first + 1)
  if (first <= 0 || second < 0) return undefined
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8'))
    const exp = (payload as { exp?: unknown } | null)?.exp
    return typeof exp === 'number' && Number.isFinite(exp) ? exp : undefined
  } catch {
    return undefined
  }
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/** Whether an `Authorization` value is a raw JWT (BigPicture's own scheme, no `Bearer `). */
export function isRawJwt (value: string): boolean {
  return value.length > 20 && value.charCodeAt(0) === 101 /* e */ && JWT_SHAPE.test(value)
}

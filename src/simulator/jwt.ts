import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export type TokenType = 'auth' | 'refresh'

export interface TokenClaims {
  sub: string
  sid: string
  app: string
  typ: TokenType
  jti: string
  iat: number
  exp: number
}

// Real BigPicture authentication tokens are about this long; proxies must cope with it in headers.
const TARGET_AUTH_TOKEN_LENGTH = 400

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const HEADER = encode({ alg: 'HS256', typ: 'JWT' })

/** Signs and checks HS256 JWTs with a secret of its own. */
export class JwtSigner {
  readonly #secret = randomBytes(32)

  sign (claims: TokenClaims): string {
    let body = `${HEADER}.${encode(claims)}`
    if (claims.typ === 'auth') {
      // The signature adds 44 characters; the `ctx` claim fills the rest up to the usual size.
      const missing = TARGET_AUTH_TOKEN_LENGTH - body.length - 44
      const padLength = Math.max(8, Math.floor((missing * 3) / 4) - 9)
      body = `${HEADER}.${encode({ ...claims, ctx: randomBytes(padLength).toString('base64url').slice(0, padLength) })}`
    }
    return `${body}.${this.#signature(body)}`
  }

  /** The claims of a well-formed token signed by this signer, else undefined. Expiry is not checked. */
  verify (token: string): TokenClaims | undefined {
    const parts = token.split('.')
    if (parts.length !== 3) return undefined
    const [header, payload, signature] = parts as [string, string, string]
    const expected = Buffer.from(this.#signature(`${header}.${payload}`))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<TokenClaims>
      if (typeof claims.sub !== 'string' || typeof claims.app !== 'string' || typeof claims.jti !== 'string' ||
        typeof claims.sid !== 'string' || typeof claims.exp !== 'number' || typeof claims.iat !== 'number' ||
        (claims.typ !== 'auth' && claims.typ !== 'refresh')) return undefined
      return claims as TokenClaims
    } catch {
      return undefined
    }
  }

  #signature (body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url')
  }
}

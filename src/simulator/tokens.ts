import { randomBytes } from 'node:crypto'
import type { Clock } from './clock.js'
import { JwtSigner, type TokenClaims, type TokenType } from './jwt.js'

export interface TokenLifetimes {
  authTokenSeconds: number
  refreshTokenSeconds: number
}

/**
 * Issues BigPicture token pairs and decides whether a presented token is still good.
 * Revocation compares the issue sequence number carried in `jti` with a threshold, so no issued
 * token has to be remembered.
 */
export class TokenAuthority {
  readonly #signer = new JwtSigner()
  readonly #clock: Clock
  readonly lifetimes: TokenLifetimes
  #sequence = 0
  #authRevokedUpTo = 0
  #refreshRevokedUpTo = 0
  readonly #authRevokedUpToByUser = new Map<string, number>()

  constructor (clock: Clock, lifetimes: TokenLifetimes) {
    this.#clock = clock
    this.lifetimes = lifetimes
  }

  issue (typ: TokenType, sub: string, sid: string, app: string): string {
    const iat = this.#clock.nowSeconds()
    const lifetime = typ === 'auth' ? this.lifetimes.authTokenSeconds : this.lifetimes.refreshTokenSeconds
    const jti = `${++this.#sequence}.${randomBytes(12).toString('base64url')}`
    return this.#signer.sign({ sub, sid, app, typ, jti, iat, exp: iat + lifetime })
  }

  /** The claims when the token is genuine, of this type and app, unexpired and unrevoked. */
  accept (token: string, typ: TokenType, app: string): TokenClaims | undefined {
    const claims = this.#signer.verify(token)
    if (claims === undefined || claims.typ !== typ || claims.app !== app) return undefined
    if (claims.exp <= this.#clock.nowSeconds()) return undefined
    const sequence = Number.parseInt(claims.jti, 10)
    if (!(sequence > this.#revokedUpTo(typ, claims.sub))) return undefined
    return claims
  }

  revokeAll (): void {
    this.#authRevokedUpTo = this.#sequence
    this.#refreshRevokedUpTo = this.#sequence
  }

  revokeAuth (user?: string): void {
    if (user === undefined) this.#authRevokedUpTo = this.#sequence
    else this.#authRevokedUpToByUser.set(user, this.#sequence)
  }

  #revokedUpTo (typ: TokenType, user: string): number {
    if (typ === 'refresh') return this.#refreshRevokedUpTo
    return Math.max(this.#authRevokedUpTo, this.#authRevokedUpToByUser.get(user) ?? 0)
  }
}

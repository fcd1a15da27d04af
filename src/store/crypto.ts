import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

const IV_BYTES = 12
const TAG_BYTES = 16
/** Fixed, public salt: the secret alone is what must stay unknown. */
const SALT = 'bigpicture-auth-proxy shared store'

/**
 * What the shared store's secret is used for. Two keys are derived from it with HKDF-SHA256, one
 * per purpose: values are sealed with AES-256-GCM, and entry names are HMAC-SHA256 digests, so
 * neither a token nor an identity key, account name or cookie is readable in the store. A sealed
 * value is bound to its entry and generation (the additional data), so it cannot be moved to
 * another entry or replayed as another generation.
 */
export class StoreCrypto {
  readonly #valueKey: Buffer
  readonly #nameKey: Buffer

  constructor (secret: string) {
    this.#valueKey = derive(secret, 'value encryption')
    this.#nameKey = derive(secret, 'entry names')
  }

  /** The entry name for `key` in namespace `kind`: a digest that reveals nothing of `key`. */
  name (kind: string, key: string): string {
    return createHmac('sha256', this.#nameKey).update(`${kind}\0${key}`).digest('base64url')
  }

  /** `plain` encrypted and authenticated, bound to `context` (entry name and generation). */
  seal (plain: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', this.#valueKey, iv)
    cipher.setAAD(Buffer.from(context))
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), body])
  }

  /** The plain text of a sealed value; throws when it was sealed under another secret or context. */
  open (sealed: Buffer, context: string): string {
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short')
    const decipher = createDecipheriv('aes-256-gcm', this.#valueKey, sealed.subarray(0, IV_BYTES))
    decipher.setAAD(Buffer.from(context))
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
  }
}

function derive (secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, SALT, purpose, 32))
}

/**
 * A token slot's two tokens (authentication and refresh) held in one string, in about three
 * quarters of their length. A JWT is base64url text, six bits a character: each of its
 * dot-separated segments is kept as its decoded bytes, one byte a character. Its first segment
 * (the JWT header, the same for every token Jira issues) is kept once for the whole process, and a
 * packed token names it by number. Anything that would not come back character for character
 * (another alphabet, padding, stray bits in a segment's last character) is kept as it came, so a
 * token always comes back exactly as Jira issued it. Pure but for the shared header table; no I/O.
 *
 * Layout, for each of the two tokens in turn, a kind byte and what it says follows:
 * - `ABSENT`: nothing;
 * - `RAW`: the text's length in two bytes, then the text;
 * - `JWT + n` for n segments: one byte naming the shared first segment (0: none, the first segment
 *   is inline), each inline segment's decoded length in two bytes, then their bytes.
 */

const ABSENT = 0
const RAW = 1
const JWT = 2
const MAX_SEGMENTS = 8
const BASE64URL_SEGMENTS = new RegExp(`^[A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]*){0,${MAX_SEGMENTS - 1}}$`)
/** Token text the proxy accepts is at most 16 KiB (auth-client.ts); two bytes hold any length. */
const MAX_LENGTH = 0xffff

/**
 * First segments kept once for the process. Only a JWT header is shared (`eyJ` is `{"` encoded;
 * there must be a second segment), never a whole opaque token, so no secret outlives its slot
 * here. Bounded: a Jira that issues more distinct headers than this gets the rest kept inline.
 */
const MAX_SHARED = 255
const MAX_SHARED_LENGTH = 255
const shared: string[] = []
const sharedIndex = new Map<string, number>()

/** Decoding space for `unpackToken`, so a read allocates nothing but the token's text. */
const scratch = Buffer.allocUnsafe(4 * 1024)

export type PackedPair = string

/** Both tokens in one string; `undefined` for one that is not there. */
export function packTokens (authentication: string | undefined, refresh: string | undefined): PackedPair {
  // join() makes one flat string; `+` would keep a tree of the pieces alive.
  return [packOne(authentication), packOne(refresh)].join('')
}

/** Token 0 (authentication) or 1 (refresh) of a packed pair, exactly as it was packed. */
export function unpackToken (packed: PackedPair, which: 0 | 1): string | undefined {
  const at = which === 0 ? 0 : skip(packed, 0)
  return unpackAt(packed, at)
}

/** Whether token 0 or 1 of a packed pair is there, without unpacking it. */
export function hasToken (packed: PackedPair, which: 0 | 1): boolean {
  return packed.charCodeAt(which === 0 ? 0 : skip(packed, 0)) !== ABSENT
}

function packOne (text: string | undefined): string {
  if (text === undefined) return String.fromCharCode(ABSENT)
  if (text.length > MAX_LENGTH || !BASE64URL_SEGMENTS.test(text)) return raw(text)
  const segments = text.split('.')
  const header = sharedHeader(segments)
  const first = header === 0 ? 0 : 1
  const lengths = 2 + (segments.length - first) * 2
  const buf = Buffer.allocUnsafe(lengths + Math.ceil(text.length * 3 / 4))
  buf[0] = JWT + segments.length
  buf[1] = header
  let at = lengths
  for (let i = first; i < segments.length; i++) {
    const n = buf.write(segments[i] as string, at, 'base64url')
    buf[2 + (i - first) * 2] = n >> 8
    buf[3 + (i - first) * 2] = n & 0xff
    at += n
  }
  const packed = buf.toString('latin1', 0, at)
  return unpackAt(packed, 0) === text ? packed : raw(text)
}

function raw (text: string): string {
  return String.fromCharCode(RAW, text.length >> 8, text.length & 0xff) + text
}

/** The number of the shared table entry for a JWT header (made on first sight), or 0. */
function sharedHeader (segments: string[]): number {
  const first = segments[0] as string
  if (segments.length < 2 || !first.startsWith('eyJ') || first.length > MAX_SHARED_LENGTH) return 0
  const known = sharedIndex.get(first)
  if (known !== undefined) return known
  if (shared.length >= MAX_SHARED) return 0
  // A copy of its own: `first` is a slice of the whole token and would keep it alive.
  shared.push(Buffer.from(first, 'latin1').toString('latin1'))
  sharedIndex.set(shared[shared.length - 1] as string, shared.length)
  return shared.length
}

/** Where the token after the one at `at` starts. */
function skip (packed: string, at: number): number {
  const kind = packed.charCodeAt(at)
  if (kind === ABSENT) return at + 1
  if (kind === RAW) return at + 3 + length(packed, at + 1)
  const count = kind - JWT - (packed.charCodeAt(at + 1) === 0 ? 0 : 1)
  let end = at + 2 + count * 2
  for (let i = 0; i < count; i++) end += length(packed, at + 2 + i * 2)
  return end
}

function unpackAt (packed: string, at: number): string | undefined {
  const kind = packed.charCodeAt(at)
  if (kind === ABSENT) return undefined
  if (kind === RAW) return packed.slice(at + 3, at + 3 + length(packed, at + 1))
  const header = packed.charCodeAt(at + 1)
  const segments = new Array<string>(kind - JWT)
  const first = header === 0 ? 0 : 1
  if (first === 1) segments[0] = shared[header - 1] as string
  const end = skip(packed, at)
  const buf = end - at <= scratch.length ? scratch : Buffer.allocUnsafe(end - at)
  // Latin-1 writes one byte a character, so positions in `buf` are positions in `packed` less `at`.
  buf.write(packed.slice(at, end), 0, 'latin1')
  let pos = 2 + (segments.length - first) * 2
  for (let i = first; i < segments.length; i++) {
    const n = length(packed, at + 2 + (i - first) * 2)
    segments[i] = buf.toString('base64url', pos, pos + n)
    pos += n
  }
  return segments.join('.')
}

function length (packed: string, at: number): number {
  return (packed.charCodeAt(at) << 8) | packed.charCodeAt(at + 1)
}

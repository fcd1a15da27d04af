/**
 * Tokens held for many identities, in three quarters of their size. A JWT is base64url text: six
 * bits a character. `packToken` keeps the decoded bytes of each dot-separated segment in a
 * one-byte string (one byte a character): first the segment count, then each segment's decoded
 * length in two characters, then the bytes. `unpackToken` encodes them again. Anything that would
 * not come back character for character (another alphabet, padding, stray bits in a segment's
 * last character) is kept as it came, behind a count of 0, so a token always comes back exactly
 * as Jira issued it. Pure; no I/O.
 */

const RAW = 0
const MAX_SEGMENTS = 8
const BASE64URL_SEGMENTS = new RegExp(`^[A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]*){0,${MAX_SEGMENTS - 1}}$`)

export function packToken (text: string): string {
  if (!BASE64URL_SEGMENTS.test(text)) return raw(text)
  const segments = text.split('.')
  const header = segments.length * 2 + 1
  const buf = Buffer.allocUnsafe(header + Math.ceil(text.length * 3 / 4))
  buf[0] = segments.length
  let at = header
  for (let i = 0; i < segments.length; i++) {
    const n = buf.write(segments[i] as string, at, 'base64url')
    buf[1 + i * 2] = n >> 8
    buf[2 + i * 2] = n & 0xff
    at += n
  }
  const packed = buf.toString('latin1', 0, at)
  return unpackToken(packed) === text ? packed : raw(text)
}

export function unpackToken (packed: string): string {
  const count = packed.charCodeAt(0)
  if (count === RAW) return packed.slice(1)
  const buf = Buffer.from(packed, 'latin1')
  const segments = new Array<string>(Math.min(count, MAX_SEGMENTS))
  let at = count * 2 + 1
  for (let i = 0; i < segments.length; i++) {
    const n = ((buf[1 + i * 2] as number) << 8) | (buf[2 + i * 2] as number)
    segments[i] = buf.toString('base64url', at, at + n)
    at += n
  }
  // join() makes one flat string; `+=` would keep a tree of the pieces alive with it.
  return segments.join('.')
}

function raw (text: string): string {
  return String.fromCharCode(RAW) + text
}

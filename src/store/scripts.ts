/**
 * The store's atomic steps, as Lua run by Redis in one go (no other client's command runs in
 * between). Records are hashes: `g` the generation, `v` the sealed value. Times are epoch ms.
 */

/**
 * Compare-and-set on a record's generation. ARGV: expected generation, sealed value of the next
 * generation, ttl in ms. Returns {1, new generation} or {0, stored generation, stored value}.
 */
export const REPLACE = `
local g = tonumber(redis.call('HGET', KEYS[1], 'g') or '0')
if g ~= tonumber(ARGV[1]) then
  return {0, g, redis.call('HGET', KEYS[1], 'v')}
end
redis.call('HSET', KEYS[1], 'g', g + 1, 'v', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, g + 1}
`

/** Deletes a record whose generation is still ARGV[1]. Returns 1 if it did. */
export const REMOVE = `
local g = redis.call('HGET', KEYS[1], 'g')
if g and tonumber(g) == tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`

/**
 * One more failed login of an account. KEYS: the account's hash (fields `f` failures, `r` retry-at,
 * `p` paused-until, `c` CAPTCHA-until, `u` the sealed login page, and per failed credential its
 * retry-at), the credential's "known good" mark, which goes. ARGV: the credential's field, now,
 * how long to keep the entry after its holds, the credential's hold, then the account's delays.
 * Returns {failures, retry-at, paused-until, CAPTCHA-until, sealed login page, credential retry-at}.
 */
export const FAIL_LOGIN = `
local now = tonumber(ARGV[2])
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
local n = #ARGV - 4
local r = math.max(tonumber(redis.call('HGET', KEYS[1], 'r') or '0'), now + tonumber(ARGV[4 + math.min(f, n)]))
local k = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'r', r, ARGV[1], k)
redis.call('DEL', KEYS[2])
local p = tonumber(redis.call('HGET', KEYS[1], 'p') or '0')
local c = tonumber(redis.call('HGET', KEYS[1], 'c') or '0')
local keep = math.max(r, k, c) - now + tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end
return {f, r, p, c, redis.call('HGET', KEYS[1], 'u'), k}
`

/**
 * Holds an account's logins until at least ARGV[2]: field ARGV[1] is `p` (a pause) or `c` (a
 * CAPTCHA, with the sealed login page in ARGV[5]). ARGV[3] now, ARGV[4] how long to keep the
 * entry after its hold. The entry's expiry is only ever extended.
 */
export const HOLD_LOGIN = `
local until_ = tonumber(ARGV[2])
if until_ > tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') then
  redis.call('HSET', KEYS[1], ARGV[1], until_)
end
if ARGV[5] then redis.call('HSET', KEYS[1], 'u', ARGV[5]) end
local keep = until_ - tonumber(ARGV[3]) + tonumber(ARGV[4])
if redis.call('PTTL', KEYS[1]) < keep then redis.call('PEXPIRE', KEYS[1], keep) end
return 1
`

/**
 * A login that worked. KEYS: the account's hash, the credential's "known good" mark. The account's
 * failures and holds go, and the credential's own; the mark is set for ARGV[2] ms.
 */
export const SUCCEED_LOGIN = `
redis.call('HDEL', KEYS[1], 'f', 'r', 'p', 'c', 'u', ARGV[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1
`

/**
 * Releases a lock only if ARGV[1], the holder's token, still holds it (an expired lock may have
 * been taken by another), then tells waiters on channel ARGV[2]. Returns 1 if it released.
 */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], KEYS[1])
  return 1
end
return 0
`

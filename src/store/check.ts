import { randomUUID } from 'node:crypto'
import type { StoreConfig } from '../config.js'
import { RedisStore } from './redis.js'

/**
 * The doctor's look at the shared store: it answers (and what it is), this replica's secret
 * opens what it seals there, and what other replicas stored opens too. One line each through
 * `pass`/`fail`; the URL is shown without its password, the secret never.
 */
export async function checkStore (config: StoreConfig, pass: (text: string) => void, fail: (text: string, hint: string) => void): Promise<void> {
  const where = describeStoreUrl(config.url)
  let connectionError: Error | undefined
  const store = new RedisStore({ ...config, commandTimeoutMs: 5000, reconnect: false, onError: (err) => { connectionError ??= err } })
  try {
    try {
      await store.connect()
      pass(`Shared store ${where} answers: ${await store.ping()}`)
    } catch (err) {
      fail(`Shared store ${where} does not answer (${describeError(connectionError ?? err)})`, 'Check STORE_URL (host, port, password, rediss:// for TLS) and that Redis or Valkey runs and is reachable from here. Without it the proxy still serves, each replica on its own.')
      return
    }
    const name = `doctor-${randomUUID()}`
    const written = { check: name }
    try {
      await store.jars.replace(name, 0, written, 10_000)
      const read = await store.jars.load(name)
      await store.jars.remove(name, 1)
      if (typeof read !== 'object' || read.value.check !== name) throw new Error('the entry written was not read back')
      pass(`Shared store: an entry sealed with STORE_SECRET was written, read back and deleted under prefix "${config.prefix}"`)
    } catch (err) {
      fail(`Shared store: an entry could not be written and read back (${describeError(err)})`, 'The Redis user needs read and write access to keys under STORE_PREFIX, and the server must run Lua scripts (EVAL), PUBLISH and SUBSCRIBE.')
      return
    }
    const others = await store.othersOpen()
    if (others === false) {
      fail('Shared store: entries other replicas stored do not open with this STORE_SECRET', 'Every replica sharing STORE_URL and STORE_PREFIX needs the same STORE_SECRET; otherwise they share nothing and each logs in on its own.')
    } else if (others === true) {
      pass('Shared store: entries other replicas stored open with this STORE_SECRET')
    }
  } finally {
    await store.close()
  }
}

/** `redis://host:port/db`, without user or password. */
function describeStoreUrl (url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`
  } catch {
    return 'at STORE_URL'
  }
}

function describeError (err: unknown): string {
  const e = err as { code?: string, message?: string }
  return e.code ?? e.message ?? 'error'
}

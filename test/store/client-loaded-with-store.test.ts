import t from 'tap'
import { BP, call, loginCookie } from '../helpers/clients.js'
import { packageLoaded } from '../helpers/modules.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// The Redis client is loaded by a proxy with STORE_URL only: loaded at start-up, it made every
// process.nextTick of the process several times slower (about a tenth of the throughput), whether
// a store was configured or not. It is CommonJS, so a load shows in the CommonJS module cache.

// Not from ./_stores.js, which loads the client itself.
const SECRET = 'a-store-secret-for-the-tests-0123456789'
const clientLoaded = (): boolean => packageLoaded('ioredis')

t.test('no Redis client in a proxy without STORE_URL; loaded once a store is configured', async (t) => {
  const sim = await startSimulator(t)
  const plain = await startProxy(t, { JIRA_URL: sim.url })
  const session = await loginCookie(plain.url, 'alice', 'alice-secret')
  t.equal((await call(`${plain.url}${BP}/box`, { headers: { cookie: session } })).status, 200, 'served')
  t.notOk(clientLoaded(), 'the Redis client is not loaded without STORE_URL')
  // Nothing listens on port 1: the store is down, the proxy starts all the same (fails open).
  await startProxy(t, { JIRA_URL: sim.url, STORE_URL: 'redis://127.0.0.1:1', STORE_SECRET: SECRET })
  t.ok(clientLoaded(), 'the Redis client is loaded with STORE_URL')
})

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { BP, call, loginCookie } from '../helpers/clients.js'
import { packageLoaded } from '../helpers/modules.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// The cookie-jar library (tough-cookie, some 7 MB once loaded) is loaded with the first session the
// proxy makes, not at start-up: callers that bring their own cookies never need it. It is loaded
// as CommonJS, so a load shows in the CommonJS module cache; an ES import of it would not, so no
// module of the program may import it other than for types.

const jarLibraryLoaded = (): boolean => packageLoaded('tough-cookie')

t.test('cookie callers are served without the cookie-jar library; the service identity loads it', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  const session = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie: session } })).status, 200, 'a cookie caller is served')
  t.notOk(jarLibraryLoaded(), 'not loaded for cookie callers')
  t.equal((await call(`${proxy.url}${BP}/box`)).status, 200, 'the service identity is served')
  t.ok(jarLibraryLoaded(), 'loaded with the first session the proxy made')
})

t.test('no module of the program imports the cookie-jar library other than for its types', async (t) => {
  const src = fileURLToPath(new URL('../../src', import.meta.url))
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
  const valueImports = files.filter((f) => /^import (?!type )[^\n]*from 'tough-cookie'/m.test(readFileSync(join(src, f), 'utf8')))
  t.same(valueImports, [], 'only type imports')
  t.ok(files.length > 50, `read the program's modules (${files.length})`)
})

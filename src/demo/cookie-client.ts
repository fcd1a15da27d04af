import type { Simulator } from '../simulator/index.js'
import { APP, Checklist, ClientCookieJar, type Out, call, login, sleep } from './client.js'

const USER = 'alice'
const PASSWORD = 'alice-secret'

function counts (sim: Simulator): string {
  const c = sim.stats.calls
  return `simulator so far: system/auth ${c.auth ?? 0}, system/reauth ${c.reauth ?? 0}, requests BigPicture refused (no or bad token) ${sim.stats.rejectedTokens}`
}

/**
 * A client that knows only Jira cookies, as every script written before BigPicture 8.3 did: it
 * logs in through the proxy, calls BigPicture, waits past a token's expiry, calls again, has the
 * tokens revoked on the server, and calls again. True when every step answered as expected.
 */
export async function cookieClientScript (proxyUrl: string, sim: Simulator, tokenSeconds: number, out: Out): Promise<boolean> {
  const list = new Checklist(out)
  const jar = new ClientCookieJar()
  const boxes = `${proxyUrl}/rest/${APP}/1.0/box`

  out(`1. Log in through the proxy, as any Jira script does: POST /rest/auth/1/session as ${USER}`)
  const loggedIn = await login(proxyUrl, jar, USER, PASSWORD)
  list.expect({ status: loggedIn.status, body: undefined }, 200, 'logged in')
  out(`     the client keeps the cookie ${loggedIn.kept.join(', ') || '(none!)'}; its value stays in the jar`)

  out(`2. The same cookie sent straight to Jira, as before BigPicture 8.3: GET ${sim.url}/rest/${APP}/1.0/box`)
  const direct = await call(`${sim.url}/rest/${APP}/1.0/box`, jar)
  list.expect(direct, 401, 'BigPicture refuses a cookie without its JWT')

  out(`3. The same request through the proxy: GET /rest/${APP}/1.0/box with only the cookie`)
  const first = await call(boxes, jar)
  list.expect(first, 200, `${Array.isArray(first.body) ? first.body.length : 0} boxes listed`)
  out(`     ${counts(sim)}`)
  out('     the proxy called system/auth with the client\'s session and added the JWT')

  out(`4. Wait ${tokenSeconds + 1} s: BigPicture tokens live ${tokenSeconds} s in this demo (15 min in Jira)`)
  await sleep((tokenSeconds + 1) * 1000)

  out('5. Call BigPicture again after the token expired')
  const second = await call(boxes, jar)
  list.expect(second, 200, 'boxes listed')
  out(`     ${counts(sim)}`)
  out('     the proxy read the token\'s expiry and renewed it with system/reauth before sending')

  out('6. Revoke every BigPicture token on the server (as a Jira restart or an admin would)')
  sim.control.revokeAllTokens()

  out(`7. Create a task: POST /rest/${APP}/1.0/box/1/task`)
  const created = await call(`${boxes}/1/task`, jar, { method: 'POST', json: { name: 'Created by a cookie-only client' } })
  list.expect(created, 201, 'task created')
  out(`     ${counts(sim)}`)
  out('     BigPicture answered 401; the proxy tried system/reauth (revoked too), got a new pair with')
  out('     system/auth and replayed the request with the same body: the client saw only the 201')
  out(`     tasks the simulator stored: ${sim.stats.tasks.length}`)
  return list.ok
}

import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// curl, a client nobody here wrote, used the way pre-8.3 scripts use it: log in once with a cookie
// jar (-c), then send only that jar (-b). Through the proxy it keeps working across a token expiry
// and a server-side revocation.

const run = promisify(execFile)
const TOKEN_SECONDS = 2
const APP = 'softwareplant-bigpicture'

const curlMissing = await run('curl', ['--version']).then(() => false, () => true)

t.test('curl with a cookie jar: login, BigPicture, token expiry, revocation', { skip: curlMissing ? 'curl is not installed' : false }, async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira', authTokenSeconds: TOKEN_SECONDS })
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const dir = mkdtempSync(join(tmpdir(), 'curl-jar-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const jar = join(dir, 'jar.txt')

  /** One curl call; resolves the HTTP status and the body. */
  const curl = async (args: string[]): Promise<{ status: number, body: string }> => {
    const { stdout } = await run('curl', ['-sS', '-c', jar, '-b', jar, '-w', '\n%{http_code}', ...args], { timeout: 30_000 })
    const cut = stdout.lastIndexOf('\n')
    return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) }
  }

  const login = await curl(['-H', 'Content-Type: application/json', '-d', JSON.stringify({ username: 'alice', password: 'alice-secret' }), `${proxy.url}/rest/auth/1/session`])
  t.equal(login.status, 200, 'logged in through the proxy')
  t.match(readFileSync(jar, 'utf8'), /\tJSESSIONID\t[0-9A-F]+/, 'curl stored the session cookie for the proxy\'s origin')

  const boxes = `${proxy.url}/rest/${APP}/1.0/box`
  const first = await curl([boxes])
  t.equal(first.status, 200, 'BigPicture with only the cookie')
  t.ok((JSON.parse(first.body) as unknown[]).length > 0)
  t.equal(sim.stats.calls.auth, 1)

  await new Promise((resolve) => setTimeout(resolve, (TOKEN_SECONDS + 1) * 1000))
  const afterExpiry = await curl([boxes])
  t.equal(afterExpiry.status, 200, 'still 200 after the token expired')
  t.ok((sim.stats.calls.reauth ?? 0) >= 1, 'the proxy renewed the token')

  sim.control.revokeAllTokens()
  const afterRevocation = await curl(['-H', 'Content-Type: application/json', '-d', JSON.stringify({ name: 'from curl' }), `${boxes}/1/task`])
  t.equal(afterRevocation.status, 201, 'a POST after a server-side revocation is created, not refused')
  t.equal(sim.stats.tasks.length, 1, 'exactly once')
  t.equal(sim.stats.tasks[0]?.user, 'alice')
  t.equal(sim.stats.calls.auth, 2, 'a fresh system/auth after the revocation')

  const myself = await curl([`${proxy.url}/rest/api/2/myself`])
  t.equal(myself.status, 200, 'plain Jira calls work with the same jar')
  t.equal((JSON.parse(myself.body) as { name: string }).name, 'alice')
})

import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'

// `npm run demo` as a newcomer runs it, in its scripted `--once` form: the compiled entry point,
// a real process, every step answered as the script says. `npm test` builds dist/ first.

const demo = fileURLToPath(new URL('../../dist/src/demo.js', import.meta.url))
const run = promisify(execFile)

t.test('node dist/src/demo.js --once walks a cookie-only client through expiry and revocation', { skip: existsSync(demo) ? false : 'dist/src/demo.js missing: run npm run build' }, async (t) => {
  const { stdout, stderr } = await run(process.execPath, [demo, '--once'], { timeout: 60_000 })
  t.notMatch(stdout, /✘/, 'no step failed')
  t.match(stdout, /1\. Log in through the proxy/)
  t.match(stdout, /✔ BigPicture refuses a cookie without its JWT: HTTP 401/, 'the problem, shown first')
  t.match(stdout, /✔ 3 boxes listed: HTTP 200/)
  t.match(stdout, /system\/auth 1, system\/reauth 1/, 'renewed with reauth after the expiry')
  t.match(stdout, /✔ task created: HTTP 201/, 'and recovered after the revocation')
  t.match(stdout, /system\/auth 2, system\/reauth 2/)
  t.match(stdout, /The client sent only its Jira cookie/)
  t.match(stderr, /"retried":true/, 'the proxy log on stderr shows the replay')
  for (const text of [stdout, stderr]) {
    t.notMatch(text, /\b[0-9A-F]{32}\b/, 'no session id printed')
    t.notMatch(text, /eyJ[\w-]+\.[\w-]+\./, 'no JWT printed')
  }
})

t.test('an unknown argument is refused with the usage', { skip: existsSync(demo) ? false : 'dist/src/demo.js missing' }, async (t) => {
  const err = await run(process.execPath, [demo, '--nope'], { timeout: 30_000 }).then(() => undefined, (e: { code: number, stderr: string }) => e)
  t.equal(err?.code, 2)
  t.match(err?.stderr, /usage: node dist\/src\/demo\.js \[--once\]/)
  const bad = await run(process.execPath, [demo, '--token-seconds', '0'], { timeout: 30_000 }).then(() => undefined, (e: { code: number }) => e)
  t.equal(bad?.code, 2, 'a token lifetime too short to watch is refused')
})

t.test('left running, it prints curl recipes that work against it, and stops cleanly on Ctrl-C', { skip: existsSync(demo) ? false : 'dist/src/demo.js missing' }, async (t) => {
  const child = spawn(process.execPath, [demo, '--token-seconds', '2'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  child.stderr.resume()
  let stdout = ''
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes('Running until Ctrl-C.')) resolve()
    })
    child.on('exit', (code) => reject(new Error(`demo exited early (${code}): ${stdout}`)))
  })
  const recipes = stdout.split('\n').filter((line) => line.startsWith('  curl ')).map((line) => line.trim())
  t.ok(recipes.length >= 4, 'curl recipes printed')
  t.match(recipes[0], /-c jar\.txt/, 'the first one logs in and keeps the cookie')
  const dir = mkdtempSync(join(tmpdir(), 'demo-recipes-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const recipe of recipes) {
    // As a newcomer pastes them: one after the other, in one directory; -f makes curl fail on 4xx/5xx.
    const { stdout: answer } = await run('sh', ['-c', recipe.replace(/^curl /, 'curl -f -sS ')], { cwd: dir, timeout: 30_000 })
    t.ok(answer.length > 0, `${recipe.slice(0, 60)}... answered`)
  }
  child.kill('SIGINT')
  const [code] = await once(child, 'exit') as [number | null]
  t.equal(code, 0, 'Ctrl-C stops the demo with exit code 0')
})

t.test('--cluster: a cookie caller and the service identity on two nodes, each kept on its own node', { skip: existsSync(demo) ? false : 'dist/src/demo.js missing' }, async (t) => {
  const { stdout, stderr } = await run(process.execPath, [demo, '--cluster', '--once', '--token-seconds', '2'], { timeout: 60_000 })
  t.notMatch(stdout, /✘/, 'no step failed')
  t.match(stdout, /a Jira Data Center cluster/)
  t.match(stdout, /2 nodes behind a load balancer/)
  const alice = /the balancer sent the login to node (\d), which now holds her Jira session/.exec(stdout)?.[1]
  t.ok(alice, 'says which node holds the cookie caller\'s session')
  t.match(stdout, /her client keeps the cookies JSESSIONID \([^)]*\), INGRESSCOOKIE \([^)]*\)/, 'and the balancer\'s cookie beside it, by name')
  t.match(stdout, new RegExp(`✔ both on node ${alice}, the node of her session`), 'system/auth and the request on her node')
  const svc = /the proxy logged in as svc once, on node (\d)/.exec(stdout)?.[1]
  t.ok(svc, 'says which node holds the service identity\'s session')
  t.match(stdout, new RegExp(`system/auth was served by node ${svc}, the BigPicture requests by node ${svc}, the Jira request by node ${svc}`))
  t.match(stdout, new RegExp(`✔ every request of the service identity stayed on node ${svc}`))
  t.match(stdout, /✔ Jira answered as "svc": HTTP 200/, 'the service identity serves plain Jira requests too')
  t.match(stdout, new RegExp(`✔ alice still on node ${alice}, the service identity still on node ${svc}`), 'across a token renewal')
  t.match(stdout, /✔ no new login/)
  t.match(stdout, /simulator: logins 2, system\/auth 2, system\/reauth 2, requests BigPicture refused \(no or bad token\) 0/)
  t.match(stdout, /Each identity stayed on the node that holds its Jira session/)
  for (const text of [stdout, stderr]) {
    t.notMatch(text, /\b[0-9A-Fa-f]{32}\b/, 'no session id or affinity value printed')
    t.notMatch(text, /eyJ[\w-]+\.[\w-]+\./, 'no JWT printed')
  }
})

import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
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
})

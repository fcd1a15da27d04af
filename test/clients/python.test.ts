import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import t from 'tap'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

// Python's standard library (urllib.request with an http.cookiejar.CookieJar), a client nobody
// here wrote, used as a pre-8.3 report script would: log in once, then only the cookie. Through the
// proxy it keeps working across a token expiry and a server-side revocation.

const TOKEN_SECONDS = 2

// Prints one JSON line per step; before the last steps it prints "revoke?" and waits for a line on
// stdin, so the test can revoke every token in between.
const SCRIPT = String.raw`
import http.cookiejar, json, sys, time, urllib.error, urllib.request
base, app, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

def call(step, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with opener.open(req, timeout=30) as res:
            status, text = res.status, res.read().decode()
    except urllib.error.HTTPError as err:
        status, text = err.code, err.read().decode()
    print(json.dumps({"step": step, "status": status, "body": text, "cookies": sorted(c.name for c in jar)}), flush=True)

call("login", "/rest/auth/1/session", {"username": "alice", "password": "alice-secret"})
call("boxes", "/rest/" + app + "/1.0/box")
time.sleep(pause)
call("after-expiry", "/rest/" + app + "/1.0/box")
print("revoke?", flush=True)
sys.stdin.readline()
call("after-revocation", "/rest/" + app + "/1.0/box/1/task", {"name": "from python"})
call("boxes-again", "/rest/" + app + "/1.0/box")
`

const pythonMissing = await new Promise<boolean>((resolve) => {
  const probe = spawn('python3', ['--version'], { stdio: 'ignore' })
  probe.on('error', () => resolve(true))
  probe.on('exit', (code) => resolve(code !== 0))
})

interface StepResult {
  step: string
  status: number
  body: string
  cookies: string[]
}

t.test('urllib + http.cookiejar: login, BigPicture, token expiry, revocation', { skip: pythonMissing ? 'python3 is not installed' : false }, async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira', authTokenSeconds: TOKEN_SECONDS })
  const proxy = await startProxy(t, { JIRA_URL: sim.url })

  const child = spawn('python3', ['-c', SCRIPT, proxy.url, 'softwareplant-bigpicture', String(TOKEN_SECONDS + 1)], { stdio: ['pipe', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill() })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const results: StepResult[] = []
  const lines = createInterface({ input: child.stdout })
  lines.on('line', (line) => {
    if (line === 'revoke?') {
      sim.control.revokeAllTokens()
      child.stdin.write('go\n')
      return
    }
    results.push(JSON.parse(line) as StepResult)
  })
  const [code] = await once(child, 'exit') as [number | null]
  t.equal(code, 0, `python exited cleanly ${stderr}`)

  const byStep = Object.fromEntries(results.map((r) => [r.step, r]))
  t.same(results.map((r) => r.step), ['login', 'boxes', 'after-expiry', 'after-revocation', 'boxes-again'])
  t.equal(byStep.login?.status, 200, 'logged in through the proxy')
  t.same(byStep.login?.cookies, ['JSESSIONID'], 'the cookie jar accepted the proxy\'s session cookie')
  t.equal(byStep.boxes?.status, 200, 'BigPicture with only the cookie')
  t.equal(byStep['after-expiry']?.status, 200, 'still 200 after the token expired')
  t.equal(byStep['after-revocation']?.status, 201, 'a POST after a server-side revocation is created')
  t.match(JSON.parse(byStep['after-revocation']?.body ?? '{}'), { name: 'from python' })
  t.equal(byStep['boxes-again']?.status, 200)

  t.ok((sim.stats.calls.reauth ?? 0) >= 1, 'the proxy renewed the token after the expiry')
  t.equal(sim.stats.calls.auth, 2, 'and fetched a new pair after the revocation')
  t.equal(sim.stats.tasks.length, 1, 'the task was created exactly once')
  t.equal(sim.stats.tasks[0]?.user, 'alice')
})

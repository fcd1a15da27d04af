import { existsSync, readFileSync } from 'node:fs'
import t from 'tap'
import { built, runCli } from '../helpers/cli.js'
import { startSimulator } from '../helpers/simulator.js'

// The command line as users expect it: each command has its own help, which never runs the
// command, and a mistyped option or command is one clear line and exit code 2.

const skip = !built && 'dist/ not built'

t.test('--help names every command and points at the full list of settings', { skip }, async (t) => {
  const res = await runCli(['--help'], {})
  t.equal(res.code, 0)
  t.equal(res.stderr, '')
  for (const command of ['serve', 'doctor', 'simulate', '--version']) t.match(res.stdout, command)
  const file = /\n {2}(\/\S+config\.example\.env)\n/.exec(res.stdout)?.[1]
  t.ok(file !== undefined && existsSync(file), `the settings file it names exists: ${file}`)
  t.match(readFileSync(file as string, 'utf8'), /#UPSTREAM_TIMEOUT_MS=/, 'and is the list of every setting')
  t.equal((await runCli(['help'], {})).stdout, res.stdout, '`help` says the same')
})

t.test('doctor --help prints the doctor\'s usage and checks nothing', { skip }, async (t) => {
  const sim = await startSimulator(t)
  const res = await runCli(['doctor', '--help'], { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal(res.code, 0)
  t.match(res.stdout, /^Usage: bigpicture-auth-proxy doctor\n/)
  t.notMatch(res.stdout, /✔|✘/, 'no check ran')
  t.same(sim.stats.calls, {}, 'Jira saw nothing')
  t.equal((await runCli(['help', 'doctor'], {})).stdout, res.stdout, '`help doctor` says the same')
})

t.test('simulate --help prints its options and exits 0 without listening', { skip }, async (t) => {
  const res = await runCli(['simulate', '--help'], {})
  t.equal(res.code, 0, res.stderr)
  t.match(res.stdout, /^Usage: bigpicture-auth-proxy simulate \[options\]\n/)
  for (const option of ['--port', '--host', '--context-path', '--users', '--nodes', '--affinity', '--affinity-cookie', '--affinity-set']) t.match(res.stdout, option)
  t.notMatch(res.stdout, /listening/)
})

t.test('serve --help explains starting and the signals, without starting', { skip }, async (t) => {
  const res = await runCli(['serve', '--help'], {})
  t.equal(res.code, 0)
  t.match(res.stdout, /^Usage: bigpicture-auth-proxy \[serve\]\n/)
  t.match(res.stdout, /SIGHUP/)
  t.match(res.stdout, /SHUTDOWN_TIMEOUT_MS/)
})

t.test('unknown options and commands: exit 2, one line on stderr naming what was wrong', { skip }, async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--verbose'], /^bigpicture-auth-proxy: unknown option "--verbose" \(see bigpicture-auth-proxy --help\)\n$/],
    [['start'], /^bigpicture-auth-proxy: unknown command "start" \(commands: serve, doctor, simulate; see bigpicture-auth-proxy --help\)\n$/],
    [['doctor', '--fix'], /^bigpicture-auth-proxy doctor: unknown option "--fix"; it takes no options/],
    [['serve', '--port', '9000'], /^bigpicture-auth-proxy serve: unknown option "--port"; it takes no options/],
    [['help', 'nonsense'], /^bigpicture-auth-proxy help: unknown command "nonsense"/],
    [['simulate', '--bogus'], /^bigpicture-auth-proxy simulate: unknown option "--bogus"/]
  ]
  // A JIRA_URL that nothing answers: had a command run, it would have said so.
  const results = await Promise.all(cases.map(([args]) => runCli(args, { JIRA_URL: 'http://127.0.0.1:9' })))
  for (const [i, [args, message]] of cases.entries()) {
    const res = results[i] as Awaited<ReturnType<typeof runCli>>
    t.equal(res.code, 2, args.join(' '))
    t.match(res.stderr, message)
    t.equal(res.stderr.trim().split('\n').length, 1, 'one line')
    t.equal(res.stdout, '')
  }
})

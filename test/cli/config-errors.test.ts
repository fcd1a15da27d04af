import t from 'tap'
import { built, runCli } from '../helpers/cli.js'

t.test('the built CLI without JIRA_URL exits 2 with one clear line and no stack trace', { skip: !built && 'dist/ not built (npm test builds it)' }, async (t) => {
  const { code, stdout, stderr } = await runCli([], {})
  t.equal(code, 2)
  t.equal(stdout, '')
  const lines = stderr.trim().split('\n')
  t.equal(lines.length, 2, 'a heading and one problem')
  t.match(lines[1], /^\s+JIRA_URL: is required$/)
  t.notMatch(stderr, /at .*\.js:\d+/, 'no stack trace')
})

t.test('every problem is reported at once, each naming its variable', { skip: !built && 'dist/ not built' }, async (t) => {
  const { code, stderr } = await runCli([], { JIRA_URL: 'ftp://x', PORT: '99999', JIRA_USERNAME: 'svc', TOKEN_REFRESH_SKEW_SECONDS: 'soon' })
  t.equal(code, 2)
  for (const name of ['PORT', 'TOKEN_REFRESH_SKEW_SECONDS']) t.match(stderr, new RegExp(`^\\s+${name}: `, 'm'), name)
  t.notMatch(stderr, /at .*\.js:\d+/)
})

t.test('--help and --version', { skip: !built && 'dist/ not built' }, async (t) => {
  const help = await runCli(['--help'], {})
  t.equal(help.code, 0)
  t.match(help.stdout, /JIRA_URL/)
  t.match(help.stdout, /doctor/)
  const version = await runCli(['--version'], {})
  t.equal(version.code, 0)
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
  const unknown = await runCli(['frobnicate'], {})
  t.equal(unknown.code, 2)
})

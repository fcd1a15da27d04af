import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'

// STORE_URL, STORE_SECRET and STORE_PREFIX: read, checked, every problem named.

const NO_DOTENV = { cwd: '/nonexistent-directory-for-config-tests' }
const JIRA = 'https://jira.example.com'
const SECRET = 'a-store-secret-of-at-least-32-characters'

function problemsOf (env: Record<string, string>): string[] {
  try {
    loadConfig({ JIRA_URL: JIRA, ...env }, NO_DOTENV)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

t.test('unset: state stays in the process', async (t) => {
  t.equal(loadConfig({ JIRA_URL: JIRA }, NO_DOTENV).store, undefined)
})

t.test('a URL and a secret: the store, with the default prefix', async (t) => {
  const config = loadConfig({ JIRA_URL: JIRA, STORE_URL: 'redis://:pw@cache:6379/2', STORE_SECRET: SECRET }, NO_DOTENV)
  t.same(config.store, { url: 'redis://:pw@cache:6379/2', secret: SECRET, prefix: 'bpap:' })
  const tls = loadConfig({ JIRA_URL: JIRA, STORE_URL: 'rediss://cache', STORE_SECRET: SECRET, STORE_PREFIX: 'team-a:' }, NO_DOTENV)
  t.same(tls.store, { url: 'rediss://cache', secret: SECRET, prefix: 'team-a:' })
})

t.test('both from files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'store-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'url'), 'redis://cache:6379\n')
  writeFileSync(join(dir, 'secret'), `${SECRET}\n`)
  const config = loadConfig({ JIRA_URL: JIRA, STORE_URL_FILE: join(dir, 'url'), STORE_SECRET_FILE: join(dir, 'secret') }, NO_DOTENV)
  t.same(config.store, { url: 'redis://cache:6379', secret: SECRET, prefix: 'bpap:' })
})

t.test('each mistake is named, and the secret never appears in a problem', async (t) => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['no secret', { STORE_URL: 'redis://cache' }, /^STORE_SECRET: is required with STORE_URL/],
    ['short secret', { STORE_URL: 'redis://cache', STORE_SECRET: 'short-secret-value' }, /^STORE_SECRET: must be at least 32 characters/],
    ['secret alone', { STORE_SECRET: SECRET }, /^STORE_SECRET: set without STORE_URL/],
    ['not redis', { STORE_URL: 'http://cache:6379', STORE_SECRET: SECRET }, /^STORE_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
    ['no host', { STORE_URL: 'redis://', STORE_SECRET: SECRET }, /^STORE_URL: must be a redis/],
    ['spaces in the prefix', { STORE_URL: 'redis://cache', STORE_SECRET: SECRET, STORE_PREFIX: 'a b' }, /^STORE_PREFIX: must not contain spaces/],
    ['both ways', { STORE_URL: 'redis://cache', STORE_SECRET: SECRET, STORE_SECRET_FILE: '/x' }, /^STORE_SECRET_FILE: set together with STORE_SECRET/],
    ['unreadable file', { STORE_URL: 'redis://cache', STORE_SECRET_FILE: '/nonexistent/secret' }, /^STORE_SECRET_FILE: cannot read/]
  ]
  for (const [name, env, expected] of cases) {
    const problems = problemsOf(env)
    t.equal(problems.length, 1, `${name}: exactly one problem (${problems.join(' | ')})`)
    t.match(problems[0], expected, name)
    t.notMatch(problems.join('\n'), 'short-secret-value', `${name}: no secret in the message`)
    t.notMatch(problems.join('\n'), SECRET, `${name}: no secret in the message`)
  }
})

t.test('store problems come together with the others', async (t) => {
  const problems = problemsOf({ STORE_URL: 'ftp://x', PORT: 'x' })
  t.same(problems.map((p) => p.slice(0, p.indexOf(':'))).sort(), ['PORT', 'STORE_SECRET', 'STORE_URL'])
})

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { ConfigError, type Config, isLoopbackHost, loadConfig, splitList } from '../../src/config.js'

const NO_DOTENV = { cwd: '/nonexistent-directory-for-config-tests' }
const JIRA = 'https://jira.example.com'
const KEY = 'a-proxy-key-of-enough-length'

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'config-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The problems loadConfig reports for `env`, or fails the test when it accepts it. */
function problemsOf (t: Test, env: Record<string, string>, cwd = NO_DOTENV.cwd): string[] {
  try {
    loadConfig(env, { cwd })
  } catch (err) {
    t.type(err, ConfigError)
    const problems = (err as ConfigError).problems
    t.equal((err as Error).message, `invalid configuration:\n${problems.join('\n')}`)
    for (const p of problems) t.notMatch(p, /\n/, 'one line per problem')
    return problems
  }
  t.fail('configuration was accepted')
  return []
}

t.test('defaults: only JIRA_URL set', async (t) => {
  const config = loadConfig({ JIRA_URL: JIRA }, NO_DOTENV)
  const expected: Config = {
    jiraUrl: JIRA,
    jiraOrigin: JIRA,
    contextPath: '',
    host: '127.0.0.1',
    port: 8080,
    service: undefined,
    proxyApiKeys: [],
    allowedHosts: undefined,
    allowedOrigins: undefined,
    apps: ['softwareplant-bigpicture', 'softwareplant-biggantt', 'softwareplant-bigtemplate'],
    refreshSkewMs: 30_000,
    identityCacheMax: 10_000,
    newSessionsPerSecond: 100,
    maxReplayBodyBytes: 10_485_760,
    upstreamTimeoutMs: 120_000,
    shutdownTimeoutMs: 25_000,
    listenerTls: undefined,
    secretFiles: {},
    tls: { ca: undefined, insecure: false },
    egress: { httpsProxy: undefined, httpProxy: undefined, noProxy: undefined },
    logLevel: 'info',
    accessLog: true
  }
  t.same(config, expected)
})

t.test('empty values count as unset', async (t) => {
  const config = loadConfig({ JIRA_URL: JIRA, PORT: '', HOST: '', JIRA_PAT: '', LOG_LEVEL: '' }, NO_DOTENV)
  t.equal(config.port, 8080)
  t.equal(config.host, '127.0.0.1')
  t.equal(config.service, undefined)
  t.equal(config.logLevel, 'info')
})

t.test('numbers and lists are parsed', async (t) => {
  const config = loadConfig({
    JIRA_URL: JIRA,
    PORT: '0',
    TOKEN_REFRESH_SKEW_SECONDS: '5',
    IDENTITY_CACHE_MAX: '3',
    MAX_REPLAY_BODY_BYTES: '0',
    UPSTREAM_TIMEOUT_MS: '1500',
    BIGPICTURE_APPS: ' softwareplant-bigpicture ,\nsoftwareplant-biggantt,,',
    ALLOWED_HOSTS: 'Proxy.Example.com, localhost:8080',
    ALLOWED_ORIGINS: 'https://App.example.com',
    LOG_LEVEL: 'debug'
  }, NO_DOTENV)
  t.equal(config.port, 0, 'PORT=0 means any free port')
  t.equal(config.refreshSkewMs, 5000)
  t.equal(config.identityCacheMax, 3)
  t.equal(config.maxReplayBodyBytes, 0)
  t.equal(config.upstreamTimeoutMs, 1500)
  t.same(config.apps, ['softwareplant-bigpicture', 'softwareplant-biggantt'])
  t.same(config.allowedHosts, ['proxy.example.com', 'localhost:8080'])
  t.same(config.allowedOrigins, ['https://app.example.com'])
  t.equal(config.logLevel, 'debug')
})

t.test('JIRA_URL: trailing slash and context path', async (t) => {
  const cases: Array<[string, { jiraUrl: string, jiraOrigin: string, contextPath: string }]> = [
    ['https://jira.example.com', { jiraUrl: 'https://jira.example.com', jiraOrigin: 'https://jira.example.com', contextPath: '' }],
    ['https://jira.example.com/', { jiraUrl: 'https://jira.example.com', jiraOrigin: 'https://jira.example.com', contextPath: '' }],
    ['https://host/jira', { jiraUrl: 'https://host/jira', jiraOrigin: 'https://host', contextPath: '/jira' }],
    ['https://host/jira/', { jiraUrl: 'https://host/jira', jiraOrigin: 'https://host', contextPath: '/jira' }],
    ['https://host/jira//', { jiraUrl: 'https://host/jira', jiraOrigin: 'https://host', contextPath: '/jira' }],
    ['http://host:8081/a/b', { jiraUrl: 'http://host:8081/a/b', jiraOrigin: 'http://host:8081', contextPath: '/a/b' }],
    ['https://HOST.example.com:443/jira', { jiraUrl: 'https://host.example.com/jira', jiraOrigin: 'https://host.example.com', contextPath: '/jira' }]
  ]
  for (const [input, expected] of cases) {
    const c = loadConfig({ JIRA_URL: input }, NO_DOTENV)
    t.same({ jiraUrl: c.jiraUrl, jiraOrigin: c.jiraOrigin, contextPath: c.contextPath }, expected, input)
  }
})

t.test('each problem is reported on its own line naming the variable', async (t) => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['missing JIRA_URL', {}, /^JIRA_URL: is required$/],
    ['JIRA_URL not a URL', { JIRA_URL: 'jira.example.com' }, /^JIRA_URL: is not a URL/],
    ['JIRA_URL not http', { JIRA_URL: 'ftp://jira.example.com' }, /^JIRA_URL: must start with http/],
    ['JIRA_URL with credentials', { JIRA_URL: 'https://u:p@jira.example.com' }, /^JIRA_URL: must not carry credentials/],
    ['JIRA_URL with query', { JIRA_URL: 'https://jira.example.com/?a=1' }, /^JIRA_URL: must not have a query/],
    ['PORT not a number', { JIRA_URL: JIRA, PORT: 'http' }, /^PORT: must be integer$/],
    ['PORT fractional', { JIRA_URL: JIRA, PORT: '80.5' }, /^PORT: must be integer$/],
    ['PORT too large', { JIRA_URL: JIRA, PORT: '65536' }, /^PORT: must be <= 65535$/],
    ['PORT negative', { JIRA_URL: JIRA, PORT: '-1' }, /^PORT: must be >= 0$/],
    ['skew too large', { JIRA_URL: JIRA, TOKEN_REFRESH_SKEW_SECONDS: '3601' }, /^TOKEN_REFRESH_SKEW_SECONDS: /],
    ['cache of zero', { JIRA_URL: JIRA, IDENTITY_CACHE_MAX: '0' }, /^IDENTITY_CACHE_MAX: /],
    ['timeout of zero', { JIRA_URL: JIRA, UPSTREAM_TIMEOUT_MS: '0' }, /^UPSTREAM_TIMEOUT_MS: /],
    ['unknown log level', { JIRA_URL: JIRA, LOG_LEVEL: 'verbose' }, /^LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent$/],
    ['TLS insecure not a boolean', { JIRA_URL: JIRA, JIRA_TLS_INSECURE: 'maybe' }, /^JIRA_TLS_INSECURE: must be true or false$/],
    ['PAT with password', { JIRA_URL: JIRA, JIRA_PAT: 'pat-value', JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'pw' }, /^JIRA_PAT: set together with JIRA_USERNAME\/JIRA_PASSWORD/],
    ['username without password', { JIRA_URL: JIRA, JIRA_USERNAME: 'svc' }, /^JIRA_PASSWORD: is required when JIRA_USERNAME is set/],
    ['password without username', { JIRA_URL: JIRA, JIRA_PASSWORD: 'pw' }, /^JIRA_USERNAME: is required when JIRA_PASSWORD is set/],
    ['short API key', { JIRA_URL: JIRA, PROXY_API_KEYS: `${KEY},short` }, /^PROXY_API_KEYS: every key must be at least 16 characters long$/],
    ['service on a public address without keys', { JIRA_URL: JIRA, HOST: '0.0.0.0', JIRA_PAT: 'pat-value' }, /^HOST: 0\.0\.0\.0 is not a loopback address and a service identity is configured/],
    ['bad app name', { JIRA_URL: JIRA, BIGPICTURE_APPS: 'softwareplant-bigpicture,a/b' }, /^BIGPICTURE_APPS: "a\/b" is not a REST root name$/],
    ['no app', { JIRA_URL: JIRA, BIGPICTURE_APPS: ' , ' }, /^BIGPICTURE_APPS: lists no app$/],
    ['egress proxy not a URL', { JIRA_URL: JIRA, HTTPS_PROXY: 'proxy:3128' }, /^HTTPS_PROXY: must be an http:\/\/ or https:\/\/ URL$/],
    ['missing CA file', { JIRA_URL: JIRA, JIRA_CA_FILE: '/nonexistent/ca.pem' }, /^JIRA_CA_FILE: cannot read \/nonexistent\/ca\.pem \(ENOENT\)$/]
  ]
  for (const [name, env, expected] of cases) {
    const problems = problemsOf(t, env)
    t.equal(problems.length, 1, `${name}: exactly one problem (${problems.join(' | ')})`)
    t.match(problems[0], expected, name)
  }
})

t.test('every problem is reported together, including those after a schema error', async (t) => {
  const problems = problemsOf(t, {
    PORT: 'abc',
    LOG_LEVEL: 'loud',
    JIRA_PAT: 'pat-value',
    JIRA_USERNAME: 'svc',
    PROXY_API_KEYS: 'short',
    HTTPS_PROXY: 'nope'
  })
  t.same(problems.map((p) => p.slice(0, p.indexOf(':'))).sort(), ['HTTPS_PROXY', 'JIRA_PAT', 'JIRA_URL', 'LOG_LEVEL', 'PORT', 'PROXY_API_KEYS'])
})

t.test('a service identity on a non-loopback HOST', async (t) => {
  for (const host of ['0.0.0.0', '::', '192.168.1.10', 'proxy.example.com']) {
    const problems = problemsOf(t, { JIRA_URL: JIRA, HOST: host, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'pw' })
    t.match(problems, [/^HOST: .*PROXY_API_KEYS/], host)
  }
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) {
    t.equal(loadConfig({ JIRA_URL: JIRA, HOST: host, JIRA_PAT: 'pat-value' }, NO_DOTENV).host, host, `${host} is loopback`)
  }
  const withKeys = loadConfig({ JIRA_URL: JIRA, HOST: '0.0.0.0', JIRA_PAT: 'pat-value', PROXY_API_KEYS: KEY }, NO_DOTENV)
  t.same(withKeys.proxyApiKeys, [KEY], 'API keys make a public listener acceptable')
  t.equal(loadConfig({ JIRA_URL: JIRA, HOST: '0.0.0.0' }, NO_DOTENV).host, '0.0.0.0', 'no service identity: nothing to protect')
})

t.test('service identity', async (t) => {
  t.same(loadConfig({ JIRA_URL: JIRA, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'pw' }, NO_DOTENV).service, { kind: 'password', username: 'svc', password: 'pw' })
  t.same(loadConfig({ JIRA_URL: JIRA, JIRA_PAT: 'pat-value' }, NO_DOTENV).service, { kind: 'pat', token: 'pat-value' })
})

t.test('JIRA_TLS_INSECURE and ACCESS_LOG spellings', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['true', true], ['TRUE', true], ['True', true], ['1', true], ['yes', true], ['on', true],
    ['false', false], ['FALSE', false], ['0', false], ['no', false], ['off', false]
  ]
  for (const [value, expected] of cases) {
    t.equal(loadConfig({ JIRA_URL: JIRA, JIRA_TLS_INSECURE: value }, NO_DOTENV).tls.insecure, expected, `JIRA_TLS_INSECURE=${value}`)
    t.equal(loadConfig({ JIRA_URL: JIRA, ACCESS_LOG: value }, NO_DOTENV).accessLog, expected, `ACCESS_LOG=${value}`)
  }
})

t.test('*_FILE secrets are read and trimmed', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'password'), 'pa ss\n')
  writeFileSync(join(dir, 'pat'), '  pat-from-file\r\n')
  writeFileSync(join(dir, 'keys'), `# one key a line\n${KEY}\n\nsecond-key-long-enough\n`)
  const password = loadConfig({ JIRA_URL: JIRA, JIRA_USERNAME: 'svc', JIRA_PASSWORD_FILE: join(dir, 'password') }, NO_DOTENV)
  t.same(password.service, { kind: 'password', username: 'svc', password: 'pa ss' })
  const pat = loadConfig({ JIRA_URL: JIRA, JIRA_PAT_FILE: join(dir, 'pat'), PROXY_API_KEYS_FILE: join(dir, 'keys') }, NO_DOTENV)
  t.same(pat.service, { kind: 'pat', token: 'pat-from-file' })
  t.same(pat.proxyApiKeys, [KEY, 'second-key-long-enough'])
  const relative = loadConfig({ JIRA_URL: JIRA, JIRA_PAT_FILE: 'pat' }, { cwd: dir })
  t.same(relative.service, { kind: 'pat', token: 'pat-from-file' }, 'a relative file is found next to .env')
})

t.test('*_FILE problems', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, 'empty'), '\n  \n')
  writeFileSync(join(dir, 'pat'), 'pat-value')
  const both = problemsOf(t, { JIRA_URL: JIRA, JIRA_PAT: 'x', JIRA_PAT_FILE: join(dir, 'pat') })
  t.same(both, ['JIRA_PAT_FILE: set together with JIRA_PAT; use one of them'])
  const missing = problemsOf(t, { JIRA_URL: JIRA, JIRA_USERNAME: 'svc', JIRA_PASSWORD_FILE: join(dir, 'absent') })
  t.same(missing, [`JIRA_PASSWORD_FILE: cannot read ${join(dir, 'absent')} (ENOENT)`])
  const publicHost = problemsOf(t, { JIRA_URL: JIRA, HOST: '0.0.0.0', JIRA_PAT_FILE: join(dir, 'absent') })
  t.match(publicHost, [/^JIRA_PAT_FILE: cannot read/, /^HOST: 0\.0\.0\.0 is not a loopback address/], 'the listener is still judged')
  const directory = problemsOf(t, { JIRA_URL: JIRA, PROXY_API_KEYS_FILE: dir })
  t.same(directory, [`PROXY_API_KEYS_FILE: cannot read ${dir} (EISDIR)`])
  const empty = problemsOf(t, { JIRA_URL: JIRA, JIRA_PAT_FILE: join(dir, 'empty') })
  t.same(empty, [`JIRA_PAT_FILE: ${join(dir, 'empty')} is empty`])
})

t.test('*_FILE without permission to read it', { skip: process.getuid?.() === 0 ? 'root reads any file' : false }, async (t) => {
  const locked = join(tempDir(t), 'locked')
  writeFileSync(locked, 'secret')
  chmodSync(locked, 0o000)
  t.same(problemsOf(t, { JIRA_URL: JIRA, JIRA_PAT_FILE: locked }), [`JIRA_PAT_FILE: cannot read ${locked} (EACCES)`])
})

t.test('no secret value appears in a problem', async (t) => {
  const problems = problemsOf(t, {
    JIRA_URL: 'https://user:url-secret@jira.example.com',
    JIRA_PAT: 'pat-secret-value',
    JIRA_USERNAME: 'svc',
    JIRA_PASSWORD: 'password-secret',
    PROXY_API_KEYS: 'key-secret'
  })
  t.ok(problems.length >= 3)
  for (const secret of ['url-secret', 'pat-secret-value', 'password-secret', 'key-secret']) {
    t.notMatch(problems.join('\n'), secret, secret)
  }
})

t.test('JIRA_CA_FILE', async (t) => {
  const dir = tempDir(t)
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
  writeFileSync(join(dir, 'ca.pem'), pem)
  writeFileSync(join(dir, 'junk.pem'), 'not a certificate')
  t.same(loadConfig({ JIRA_URL: JIRA, JIRA_CA_FILE: join(dir, 'ca.pem') }, NO_DOTENV).tls, { ca: pem, insecure: false })
  t.same(problemsOf(t, { JIRA_URL: JIRA, JIRA_CA_FILE: join(dir, 'junk.pem') }), [`JIRA_CA_FILE: ${join(dir, 'junk.pem')} holds no PEM certificate`])
})

t.test('.env in cwd is honoured and the environment wins', async (t) => {
  const dir = tempDir(t)
  writeFileSync(join(dir, '.env'), [
    '# comment',
    'JIRA_URL=https://from-dotenv.example.com/jira',
    'PORT=9000',
    'LOG_LEVEL=warn',
    'JIRA_TLS_INSECURE=yes',
    'JIRA_PAT="pat from dotenv"',
    'PROXY_API_KEYS=',
    'UNKNOWN_VARIABLE=ignored'
  ].join('\n'))
  const fromFile = loadConfig({}, { cwd: dir })
  t.equal(fromFile.jiraUrl, 'https://from-dotenv.example.com/jira')
  t.equal(fromFile.port, 9000)
  t.equal(fromFile.logLevel, 'warn')
  t.equal(fromFile.tls.insecure, true)
  t.same(fromFile.service, { kind: 'pat', token: 'pat from dotenv' })
  t.same(fromFile.proxyApiKeys, [], 'an empty value in .env is unset')

  const env = loadConfig({ JIRA_URL: JIRA, PORT: '8181', LOG_LEVEL: '' }, { cwd: dir })
  t.equal(env.jiraUrl, JIRA, 'environment wins')
  t.equal(env.port, 8181, 'environment wins')
  t.equal(env.logLevel, 'warn', 'an empty environment value does not hide .env')

  const bad = problemsOf(t, { PORT: 'x' }, dir)
  t.same(bad, ['PORT: must be integer'], 'values from .env are validated with the rest')
})

t.test('an unreadable .env is a problem, a missing one is not', async (t) => {
  const dir = tempDir(t)
  t.doesNotThrow(() => loadConfig({ JIRA_URL: JIRA }, { cwd: dir }))
  mkdirSync(join(dir, '.env'))
  t.match(problemsOf(t, { JIRA_URL: JIRA }, dir), [/^\.env: cannot read .*\(EISDIR\)$/])
})

t.test('egress proxy variables, upper or lower case', async (t) => {
  const lower = loadConfig({ JIRA_URL: JIRA, https_proxy: 'http://egress:3128', http_proxy: 'http://plain:3128', no_proxy: '.internal' }, NO_DOTENV)
  t.same(lower.egress, { httpsProxy: 'http://egress:3128', httpProxy: 'http://plain:3128', noProxy: '.internal' })
  const both = loadConfig({ JIRA_URL: JIRA, HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128' }, NO_DOTENV)
  t.equal(both.egress.httpsProxy, 'http://upper:3128', 'the upper-case spelling wins')
  t.match(problemsOf(t, { JIRA_URL: JIRA, https_proxy: 'socks5://egress:1080' }), [/^HTTPS_PROXY: /], 'a bad lower-case value is reported')
})

t.test('splitList', async (t) => {
  const cases: Array<[string, string[]]> = [
    ['', []],
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    [' a , b ,', ['a', 'b']],
    ['a\nb\r\nc', ['a', 'b', 'c']],
    ['# comment\na\n  # indented comment\nb', ['a', 'b']]
  ]
  for (const [input, expected] of cases) t.same(splitList(input), expected, JSON.stringify(input))
})

t.test('isLoopbackHost', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['127.0.0.1', true], ['127.9.9.9', true], ['localhost', true], ['LOCALHOST', true], ['::1', true], ['[::1]', true],
    ['0.0.0.0', false], ['::', false], ['10.0.0.1', false], ['127.example.com', false], ['example.com', false], ['::ffff:10.0.0.1', false]
  ]
  for (const [host, expected] of cases) t.equal(isLoopbackHost(host), expected, host)
})

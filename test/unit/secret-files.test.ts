import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { SecretFiles } from '../../src/ops/reload.js'

// What SIGHUP's re-read reports for each secret file: a change, nothing, or a problem that keeps
// the value in use. (The whole reload, through the built CLI, is test/cli/sighup-reload.test.ts.)

const dir = mkdtempSync(join(tmpdir(), 'bp-proxy-secret-files-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const path = (name: string): string => join(dir, name)
const base = { JIRA_URL: 'http://127.0.0.1:9' }
const NO_DOTENV = { cwd: dir }

t.test('JIRA_PAT_FILE: a new token is an update of the service credentials; the same token is none', async (t) => {
  writeFileSync(path('pat'), 'first-token\n')
  const files = new SecretFiles(loadConfig({ ...base, JIRA_PAT_FILE: 'pat' }, NO_DOTENV))
  t.same(files.reread(), { update: {}, changed: [], problems: [] }, 'nothing changed')
  writeFileSync(path('pat'), '  second-token  \n')
  t.same(files.reread(), { update: { service: { kind: 'pat', token: 'second-token' } }, changed: ['JIRA_PAT_FILE'], problems: [] })
  t.same(files.reread(), { update: {}, changed: [], problems: [] }, 'the new token is now the one in use')
  rmSync(path('pat'))
  t.same(files.reread(), { update: {}, changed: [], problems: [`JIRA_PAT_FILE: cannot read ${path('pat')} (ENOENT)`] })
})

t.test('JIRA_PASSWORD_FILE keeps the user name; PROXY_API_KEYS_FILE with only comments lists no key', async (t) => {
  writeFileSync(path('password'), 'pw-1')
  writeFileSync(path('keys'), 'key-number-one-0123456789')
  const files = new SecretFiles(loadConfig({ ...base, JIRA_USERNAME: 'svc', JIRA_PASSWORD_FILE: 'password', PROXY_API_KEYS_FILE: 'keys' }, NO_DOTENV))
  writeFileSync(path('password'), 'pw-2')
  writeFileSync(path('keys'), '# all keys revoked\n')
  t.same(files.reread(), {
    update: { service: { kind: 'password', username: 'svc', password: 'pw-2' } },
    changed: ['JIRA_PASSWORD_FILE'],
    problems: [`PROXY_API_KEYS_FILE: ${path('keys')} lists no key`]
  })
})

t.test('secrets given in the environment are not files: nothing to re-read', async (t) => {
  const files = new SecretFiles(loadConfig({ ...base, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'pw', PROXY_API_KEYS: 'key-number-one-0123456789' }, NO_DOTENV))
  t.same(files.reread(), { update: {}, changed: [], problems: [] })
})

import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { parseExampleEnv, readRepoFile, schemaVariables } from './_static-files.js'

// config.example.env is the operator's reference: it must list exactly what src/config.ts reads,
// say why for each, load as it is, and show the real defaults.

const text = readRepoFile('config.example.env')
const entries = parseExampleEnv(text)
const NO_DOTENV = { cwd: '/nonexistent' }

t.test('lists exactly the variables the configuration schema knows, each once', async (t) => {
  const schema = schemaVariables()
  t.ok(schema.length >= 20, `the schema was read (${schema.length} variables)`)
  const names = entries.map((e) => e.name)
  t.same([...names].sort(), [...schema].sort())
  t.equal(new Set(names).size, names.length, 'no variable twice')
})

t.test('every variable has a line saying why, right above it', async (t) => {
  for (const entry of entries) {
    const why = entry.why.at(-1) ?? ''
    t.ok(why.length > 20 && !why.startsWith('---'), `${entry.name}: ${why}`)
  }
})

t.test('it is a valid env file for dotenv and docker --env-file', async (t) => {
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue
    t.match(line, /^[A-Z][A-Z0-9_]*=[^\s"'][^"']*$/, `${line}: NAME=value, no spaces or quotes`)
  }
})

t.test('loads with loadConfig as shipped', async (t) => {
  const env = Object.fromEntries(entries.filter((e) => !e.commented).map((e) => [e.name, e.value]))
  t.same(Object.keys(env), ['JIRA_URL'], 'only the required variable is active')
  const config = loadConfig(env, NO_DOTENV)
  t.equal(config.jiraUrl, env.JIRA_URL)
})

t.test('the values it shows as defaults are the defaults', async (t) => {
  const base = { JIRA_URL: 'https://jira.example.com/jira' }
  const defaults = loadConfig(base, NO_DOTENV)
  for (const entry of entries.filter((e) => e.commented)) {
    t.same(loadConfig({ ...base, [entry.name]: entry.value }, NO_DOTENV), defaults, `${entry.name}=${entry.value}`)
  }
  // All of them at once too: the file with every line uncommented configures the same proxy.
  const all = Object.fromEntries(entries.filter((e) => e.commented).map((e) => [e.name, e.value]))
  t.same(loadConfig({ ...all, ...base }, NO_DOTENV), defaults)
})

import t from 'tap'
import { BP, basic, call, loginCookie, sleep } from '../helpers/clients.js'
import { parseExposition, seriesNames } from '../helpers/prometheus.js'
import { startProxy } from '../helpers/proxy.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { readRepoFile } from './_static-files.js'

// The dashboard in deploy/grafana/ is only useful if every series it queries is one the proxy
// serves, with the labels it groups by. The proxy runs with Node's process metrics on, sees the
// traffic that fills every family, and its /_proxy/metrics is read as Prometheus would.

interface Target { expr: string }
interface Panel { title: string, type: string, targets?: Target[], panels?: Panel[] }
interface Dashboard {
  panels: Panel[]
  templating: { list: Array<{ name: string, type: string, query?: string | { query: string } }> }
}

const dashboard = JSON.parse(readRepoFile('deploy/grafana/bigpicture-auth-proxy.json')) as Dashboard

/** Labels Prometheus adds to every scraped series itself. */
const TARGET_LABELS = new Set(['job', 'instance'])
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset'])

/**
 * The series names and label names a PromQL expression refers to: string literals, ranges and
 * numbers are dropped, a word followed by `(` is a function, label names are those of matchers
 * (`{family="x"}`) and of grouping clauses (`by (family, le)`); every other word is a series name.
 */
function references (expr: string): { names: string[], labels: string[] } {
  const labels: string[] = []
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""')
  rest = rest.replace(/\{([^}]*)\}/g, (_all, inner: string) => {
    for (const m of inner.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.push(m[1] as string)
    return ' '
  })
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_all, _kw: string, inner: string) => {
    for (const label of inner.split(',').map((l) => l.trim()).filter((l) => l !== '')) labels.push(label)
    return ' '
  })
  rest = rest.replace(/\[[^\]]*\]/g, ' ')
  const names = [...rest.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined && !KEYWORDS.has(m[1] as string))
    .map((m) => m[1] as string)
  return { names, labels }
}

function panelsOf (panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])])
}

const queries: Array<{ where: string, expr: string, label?: string }> = []
for (const panel of panelsOf(dashboard.panels)) {
  for (const target of panel.targets ?? []) queries.push({ where: `panel "${panel.title}"`, expr: target.expr })
}
for (const variable of dashboard.templating.list) {
  if (variable.type !== 'query') continue
  const query = typeof variable.query === 'string' ? variable.query : variable.query?.query ?? ''
  const labelValues = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(query)
  if (labelValues === null) throw new Error(`variable ${variable.name}: only label_values(series, label) queries are checked`)
  queries.push({ where: `variable $${variable.name}`, expr: labelValues[1] as string, label: labelValues[2] as string })
}

t.test('the dashboard queries only series that /_proxy/metrics serves, with their labels', async (t) => {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', STORE_URL: redis.url, STORE_SECRET: 'a-store-secret-of-at-least-32-characters' }, { processMetrics: true })
  // Traffic for every family and token call kind: a cookie caller (login, auth), a revoked token
  // (reauth and a retry), a plain Jira request, a wrong password, a lost session, and the proxy's
  // own endpoints; the shared store goes away half-way, so its outage series fill too.
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAuthTokens()
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers: { cookie } })).status, 200)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'wrong') } })).status, 401)
  await redis.kill()
  // A session Jira forgot: the proxy logs in again for its service identity.
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200)
  sim.control.expireSessions('svc')
  t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200)
  t.equal((await call(`${proxy.url}/_proxy/healthz`)).status, 200)

  // Garbage-collection series appear after the first collection: make garbage until one is seen.
  let exposition = parseExposition('')
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${proxy.url}/_proxy/metrics`)
    t.equal(res.status, 200)
    exposition = parseExposition(await res.text())
    if (exposition.samples.some((s) => s.name === 'nodejs_gc_duration_seconds_count')) break
    if (Array.from({ length: 100_000 }, (_, n) => ({ n })).length === 0) break
    await sleep(20)
  }
  const served = seriesNames(exposition)
  const labelsOf = (name: string): Set<string> => new Set(exposition.samples.filter((s) => s.name === name).flatMap((s) => Object.keys(s.labels)))

  t.ok(queries.length >= 10, `${queries.length} queries found in the dashboard`)
  const queried = new Set<string>()
  for (const { where, expr, label } of queries) {
    const { names, labels } = references(expr)
    t.ok(names.length > 0, `${where}: queries a series (${expr})`)
    const known = new Set<string>(TARGET_LABELS)
    for (const name of names) {
      queried.add(name)
      t.ok(served.has(name), `${where}: ${name} is served`)
      t.ok(exposition.samples.some((s) => s.name === name), `${where}: ${name} has samples after traffic`)
      for (const l of labelsOf(name)) known.add(l)
    }
    for (const l of [...labels, ...(label === undefined ? [] : [label])]) t.ok(known.has(l), `${where}: label ${l} is on ${names.join(', ')}`)
  }
  // The dashboard covers the proxy's own metrics and the standard Node ones.
  for (const family of exposition.types.keys()) {
    if (!family.startsWith('bigpicture_proxy_')) continue
    t.ok([...queried].some((name) => name === family || name.startsWith(`${family}_`)), `the dashboard shows ${family}`)
  }
  for (const standard of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
    t.ok(queried.has(standard), `the dashboard shows ${standard}`)
  }
})

t.test('the reference reader finds names and labels, and would catch a misspelt series', async (t) => {
  t.same(references('histogram_quantile(0.95, sum by (family, le) (rate(x_bucket{job=~"$job", a!="b{c}"}[$__rate_interval])))'), { names: ['x_bucket'], labels: ['job', 'a', 'family', 'le'] })
  t.same(references('sum(rate(a_total[5m])) / sum without (instance) (b)'), { names: ['a_total', 'b'], labels: ['instance'] })
  t.same(references('count by (version, node) (bigpicture_proxy_build_info)'), { names: ['bigpicture_proxy_build_info'], labels: ['version', 'node'] })
})

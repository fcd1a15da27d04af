import t from 'tap'
import { BP, basic, call, loginCookie } from '../helpers/clients.js'
import { type Exposition, parseExposition } from '../helpers/prometheus.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'
import { readRepoFile } from './_static-files.js'

// /_proxy/metrics follows the conventions dashboards and alerts rely on: Node's standard names,
// a build_info gauge, a request duration histogram per route family, snake_case label values.

const sum = (e: Exposition, name: string, labels: Record<string, string> = {}): number =>
  e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0)

t.test('metric names, build info, request durations and label values', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url }, { processMetrics: true })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  for (let i = 0; i < 3; i++) t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAuthTokens()
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers: { cookie } })).status, 200)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'wrong') } })).status, 401)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { authorization: basic('bob', 'wrong') } })).status, 401)
  t.equal((await call(`${proxy.url}/_proxy/nothing`)).status, 404)

  const text = await (await fetch(`${proxy.url}/_proxy/metrics`)).text()
  const e = parseExposition(text)

  t.test('Node\'s process metrics keep their standard names', async (t) => {
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_version_info']) {
      t.ok(e.types.has(name), `${name} is served`)
    }
    t.notOk([...e.types.keys()].some((n) => /^bigpicture_proxy_(process|nodejs)_/.test(n)), 'no prefixed copies')
  })

  t.test('bigpicture_proxy_build_info says which version runs on which Node', async (t) => {
    const info = e.samples.filter((s) => s.name === 'bigpicture_proxy_build_info')
    const pkg = JSON.parse(readRepoFile('package.json')) as { version: string }
    t.same(info.map((s) => [s.labels, s.value]), [[{ version: pkg.version, node: process.version }, 1]])
  })

  t.test('every answered request is in the duration histogram of its family', async (t) => {
    t.equal(e.types.get('bigpicture_proxy_request_duration_seconds'), 'histogram')
    // The metrics request itself is counted once it has been answered, after this text was made.
    const expected = { bigpicture: 4 + 2, jira: 2, proxy: 1 }
    for (const [family, count] of Object.entries(expected)) {
      t.equal(sum(e, 'bigpicture_proxy_request_duration_seconds_count', { family }), count, `${family}: ${count} requests timed`)
      t.equal(sum(e, 'bigpicture_proxy_requests_total', { family }), count, `${family}: as many as counted`)
      t.equal(sum(e, 'bigpicture_proxy_request_duration_seconds_bucket', { family, le: '+Inf' }), count)
      t.ok(sum(e, 'bigpicture_proxy_request_duration_seconds_sum', { family }) > 0)
    }
  })

  t.test('label values of the proxy\'s own metrics are snake_case words', async (t) => {
    const values = new Set<string>()
    for (const s of e.samples) {
      if (!s.name.startsWith('bigpicture_proxy_') || s.name === 'bigpicture_proxy_build_info') continue
      for (const [label, value] of Object.entries(s.labels)) if (label !== 'le') values.add(`${label}=${value}`)
    }
    t.ok(values.has('outcome=bad_credentials'), 'the wrong password was counted')
    t.ok(values.has('kind=reauth'), 'the refresh was counted')
    for (const v of values) t.match(v, /^[a-z_]+=[a-z0-9_]+$/, v)
  })
})

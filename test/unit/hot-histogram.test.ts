import { Histogram, Registry } from 'prom-client'
import t from 'tap'
import { HotHistogram } from '../../src/ops/hot-histogram.js'
import { Metrics } from '../../src/ops/metrics.js'

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120]
// Below, on and between bounds, past the last one, zero, and tiny fractions whose sum rounds.
const VALUES = [0, 0.0001, 0.005, 0.0050001, 0.01, 0.3, 0.1 + 0.2, 1, 7.5, 30, 120, 121, 5000, 0.07, 0.07, 0.07]

/** prom-client's own Histogram and the hot one, fed the same observations, in registries of their own. */
function both (): { own: Registry, hot: Registry, observe: (family: string, v: number) => void, reset: () => void } {
  const own = new Registry()
  const hot = new Registry()
  const h = new Histogram({ name: 'x_seconds', help: 'Some help.', labelNames: ['family'], buckets: BUCKETS, registers: [own] })
  const x = new HotHistogram('x_seconds', 'Some help.', 'family', BUCKETS, hot)
  // prom-client lists its series in the order they were first observed; so does this test.
  const children = new Map<string, ReturnType<typeof x.labels>>()
  return {
    own,
    hot,
    observe: (family, v) => {
      let child = children.get(family)
      if (child === undefined) children.set(family, child = x.labels(family))
      h.labels(family).observe(v)
      child.observe(v)
    },
    reset: () => { h.reset(); x.reset() }
  }
}

t.test('serves exactly what prom-client serves for the same observations', async (t) => {
  const { own, hot, observe, reset } = both()
  t.equal(await hot.metrics(), await own.metrics(), 'nothing observed: help and type only')
  for (const v of VALUES) observe('jira', v)
  for (const v of VALUES.slice(0, 5)) observe('bigpicture', v)
  const text = await hot.metrics()
  t.equal(text, await own.metrics())
  t.match(text, /x_seconds_bucket\{le="0.005",family="jira"\} 3\n/, 'a value on a bound is counted in that bound')
  t.match(text, /x_seconds_bucket\{le="120",family="jira"\} 14\n/)
  t.match(text, /x_seconds_bucket\{le="\+Inf",family="jira"\} 16\n/, 'values past the last bound only in +Inf')
  t.same(await hot.getMetricsAsJSON().then((m) => m[0]?.values.length), await own.getMetricsAsJSON().then((m) => m[0]?.values.length))

  reset()
  t.equal(await hot.metrics(), await own.metrics(), 'after a reset')
  observe('proxy', 0.2)
  t.equal(await hot.metrics(), await own.metrics(), 'observed again after a reset')
})

t.test('a value that is not a finite number is not counted', async (t) => {
  const registry = new Registry()
  const x = new HotHistogram('x_seconds', 'Some help.', 'family', BUCKETS, registry)
  const jira = x.labels('jira')
  jira.observe(0.2)
  jira.observe(Number.NaN)
  jira.observe(Number.POSITIVE_INFINITY)
  const text = await registry.metrics()
  t.match(text, /x_seconds_count\{family="jira"\} 1\n/)
  t.match(text, /x_seconds_sum\{family="jira"\} 0.2\n/)
})

t.test('requests are counted once whatever the number of scrapes', async (t) => {
  const metrics = new Metrics({ processMetrics: false, version: '0.0.0', node: process.version })
  const record = metrics.requestRecorder()
  const count = async (labels: string): Promise<number> => {
    const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`bigpicture_proxy_requests_total{${labels}}`))
    return line === undefined ? 0 : Number(line.split(' ').pop())
  }
  record('jira', 200, 0.01)
  record('jira', 204, 0.01)
  record('bigpicture', 401, 0.02)
  record('unknown-family', 502, 0.02)
  record('jira', 799, 0.01)
  t.equal(await count('family="jira",status="2xx"'), 2)
  t.equal(await count('family="jira",status="2xx"'), 2, 'a second scrape adds nothing')
  t.equal(await count('family="bigpicture",status="4xx"'), 1)
  t.equal(await count('family="jira",status="5xx"'), 1, 'a family it does not know is counted as Jira')
  t.equal(await count('family="jira",status="7xx"'), 1, 'a status past 5xx gets its own class')
  record('jira', 200, 0.01)
  t.equal(await count('family="jira",status="2xx"'), 3, 'and one more after it')
  const text = await metrics.registry.metrics()
  t.match(text, /bigpicture_proxy_request_duration_seconds_count\{family="jira"\} 5\n/)
})

import t from 'tap'
import { BP, call, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'
import { type StalledUpload, stalledUpload } from '../helpers/stalled-upload.js'

const held = async (proxy: { url: string }): Promise<number> => {
  const text = (await call(`${proxy.url}/_proxy/metrics`)).body as string
  return Number(/^bigpicture_proxy_replay_bytes_held (\d+)/m.exec(text)?.[1] ?? NaN)
}

t.test('bodies held for a replay are capped across all requests; the rest stream once, nothing is lost', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', MAX_REPLAY_BODY_BYTES: '80000', LOG_LEVEL: 'info' }, { replayBudgetBytes: 100_000 })
  t.equal((await call(`${proxy.url}${BP}/box`)).status, 200, 'the service identity has its token')
  const uploads: StalledUpload[] = []
  for (let i = 0; i < 4; i++) {
    uploads.push(await stalledUpload(t, proxy.url, { path: `${BP}/box/1/task`, bytes: 60_000 }))
  }
  // Each stalled upload is either held (counted) or streaming toward Jira (its own system/auth).
  await until(() => (sim.stats.calls.auth ?? 0) >= 4)
  t.equal(await held(proxy), 60_000, 'one body held: a second would pass the budget')
  for (const u of uploads) u.finish()
  await until(() => uploads.every((u) => u.answer().startsWith('HTTP/1.1 201')))
  t.equal(sim.stats.tasks.length, 4, 'every body applied once')
  t.ok(sim.stats.tasks.every((task) => task.body.length === 60_000), 'none truncated')
  await until(() => uploads.every((u) => u.answer().includes('"id"')))
  t.equal(await held(proxy), 0, 'released once answered')
})

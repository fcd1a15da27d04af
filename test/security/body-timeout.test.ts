import t from 'tap'
import { BP, until } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'
import { stalledUpload } from '../helpers/stalled-upload.js'

t.test('a body that stops arriving gets 408 BODY_TIMEOUT, the connection closes, the log says so', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' }, { bodyTimeoutMs: 300 })
  for (const path of [`${BP}/box/1/task`, '/rest/api/2/issue/ABC-1/attachments']) {
    const bytes = 5000
    const upload = await stalledUpload(t, proxy.url, { path, bytes, headers: { 'x-atlassian-token': 'no-check' } })
    await upload.closed
    t.match(upload.answer(), /^HTTP\/1\.1 408 /, `${path}: 408`)
    t.match(upload.answer(), /"code":"BODY_TIMEOUT"/, `${path}: coded`)
  }
  await until(() => proxy.logs.filter((l) => l.code === 'BODY_TIMEOUT' && l.status === 408).length === 2)
  t.equal(sim.stats.tasks.length, 0, 'no half body was applied')
  t.equal(sim.stats.uploads.length, 0)
  t.notOk(proxy.logs.some((l) => (l.level as number) >= 50), 'no error logged')
})

t.test('a slow body that keeps arriving is not cut', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret', LOG_LEVEL: 'info' }, { bodyTimeoutMs: 300 })
  const slow = await stalledUpload(t, proxy.url, { path: `${BP}/box/1/task`, bytes: 12, sent: 1 })
  for (let i = 1; i < 12; i++) {
    await new Promise((resolve) => setTimeout(resolve, 150))
    t.equal(slow.answer(), '', `still waiting after ${i * 150} ms`)
    slow.more(1)
  }
  await until(() => slow.answer().includes('"id"'))
  t.match(slow.answer(), /^HTTP\/1\.1 201 /)
  t.equal(sim.stats.tasks.length, 1)
})

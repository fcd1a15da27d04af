import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { bigPicture } from './_bigpicture.js'
import { login, tokensFor } from './_client.js'

t.test('boxes: list, one, missing, update, delete', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication } = await tokensFor(sim, id)
  const list = await bigPicture(sim, '/box', id, authentication)
  t.equal(list.status, 200)
  t.equal(list.headers.get('content-type'), 'application/json;charset=UTF-8')
  const boxes = await list.json() as Array<{ id: number, name: string }>
  t.ok(boxes.length >= 2)
  t.match(boxes[0], { id: 1, name: 'Program A' })

  const one = await bigPicture(sim, '/box/2', id, authentication)
  t.equal(one.status, 200)
  t.match(await one.json(), { id: 2 })
  t.equal((await bigPicture(sim, '/box/99', id, authentication)).status, 404)
  t.equal((await bigPicture(sim, '/box/1', id, authentication, { method: 'PUT', body: '{"name":"x"}', headers: { 'content-type': 'application/json' } })).status, 200)
  t.equal((await bigPicture(sim, '/box/1', id, authentication, { method: 'DELETE' })).status, 204)
  const unknown = await bigPicture(sim, '/nothing', id, authentication)
  t.equal(unknown.status, 404)
  t.equal(unknown.headers.get('content-type'), 'application/json;charset=UTF-8')
  t.equal(sim.stats.calls.bigpicture, 6)
  t.equal(sim.stats.callsByUser.alice?.bigpicture, 6)
})

t.test('created tasks are recorded verbatim, whatever their size', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication } = await tokensFor(sim, id)
  const small = '{ "summary": "Plan  Q3", "émoji": "✓" }'
  const large = JSON.stringify({ summary: 'big', description: 'x'.repeat(3 * 1024 * 1024) })
  const created: number[] = []
  for (const body of [small, large]) {
    const res = await bigPicture(sim, '/box/1/task', id, authentication, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    t.equal(res.status, 201)
    const answer = await res.json() as { id: number, boxId: number, summary: string }
    t.equal(answer.boxId, 1)
    created.push(answer.id)
  }
  t.equal(sim.stats.tasks.length, 2)
  t.same(sim.stats.tasks[0], { app: 'softwareplant-bigpicture', user: 'alice', body: small, id: created[0] })
  t.equal(sim.stats.tasks[1]?.body, large)
  t.not(created[0], created[1])
})

t.test('a task body that is not JSON answers 400 and is not recorded', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'bob', 'bob-secret')
  const { authentication } = await tokensFor(sim, id)
  const res = await bigPicture(sim, '/box/1/task', id, authentication, { method: 'POST', body: '{"summary":' })
  t.equal(res.status, 400)
  t.equal(sim.stats.tasks.length, 0)
})

t.test('the slow endpoint waits as asked', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'bob', 'bob-secret')
  const { authentication } = await tokensFor(sim, id)
  const started = Date.now()
  const res = await bigPicture(sim, '/slow?ms=300', id, authentication)
  t.equal(res.status, 200)
  t.same(await res.json(), { slept: 300 })
  t.ok(Date.now() - started >= 290)
})

import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { login } from './_client.js'

const myself = (url: string, id: string): Promise<Response> => fetch(`${url}/rest/api/2/myself`, { headers: { cookie: `JSESSIONID=${id}` } })

t.test('an idle session expires; each use extends it', async (t) => {
  const sim = await startSimulator(t, { sessionIdleSeconds: 1 })
  const id = await login(sim, 'alice', 'alice-secret')
  for (let i = 0; i < 4; i++) {
    await sleep(400)
    t.equal((await myself(sim.url, id)).status, 200, `use ${i + 1} within the idle time`)
  }
  await sleep(1200)
  const expired = await myself(sim.url, id)
  t.equal(expired.status, 401)
  t.equal(expired.headers.get('x-ausername'), 'anonymous')
})

t.test('setLifetimes changes the idle time of live sessions', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'bob', 'bob-secret')
  sim.control.setLifetimes({ sessionIdleSeconds: 0.2 })
  await sleep(400)
  t.equal((await myself(sim.url, id)).status, 401)
})

t.test('expireSessions kills the sessions of one user, or all', async (t) => {
  const sim = await startSimulator(t)
  const alice = await login(sim, 'alice', 'alice-secret')
  const bob = await login(sim, 'bob', 'bob-secret')
  sim.control.expireSessions('alice')
  t.equal((await myself(sim.url, alice)).status, 401)
  t.equal((await myself(sim.url, bob)).status, 200)
  sim.control.expireSessions()
  t.equal((await myself(sim.url, bob)).status, 401)
})

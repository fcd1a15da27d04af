import t from 'tap'
import { request } from 'undici'
import { startSimulator } from '../helpers/simulator.js'
import { login } from './_client.js'

t.test('setDown refuses connections and cuts open ones; setDown(false) comes back on the same port', async (t) => {
  const sim = await startSimulator(t)
  const { port, url } = sim
  const id = await login(sim, 'alice', 'alice-secret')
  sim.control.setLatency(2000)
  const inFlight = request(`${url}/rest/api/2/myself`).then(() => 'answered', (err: { code?: string }) => err.code ?? 'error')
  await new Promise((resolve) => setTimeout(resolve, 100))

  await sim.control.setDown(true)
  t.not(await inFlight, 'answered', 'an open exchange is cut')
  const refused = await request(`${url}/rest/api/2/myself`).then(() => 'answered', (err: { code?: string }) => err.code)
  t.equal(refused, 'ECONNREFUSED')
  await sim.control.setDown(true)

  sim.control.setLatency(0)
  await sim.control.setDown(false)
  t.equal(sim.port, port)
  t.equal(sim.url, url)
  const back = await request(`${url}/rest/api/2/myself`, { headers: { cookie: `JSESSIONID=${id}` } })
  t.equal(back.statusCode, 200, 'sessions survive an outage')
  await back.body.dump()
  await sim.control.setDown(false)
})

t.test('close() after setDown(true) resolves', async (t) => {
  const sim = await startSimulator(t)
  await sim.control.setDown(true)
  await sim.close()
  t.pass('closed')
})

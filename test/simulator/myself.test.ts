import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { login } from './_client.js'

t.test('myself describes the caller', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  for (const version of ['2', 'latest']) {
    const res = await fetch(`${sim.url}/rest/api/${version}/myself`, { headers: { cookie: `JSESSIONID=${id}` } })
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8')
    t.match(await res.json(), { name: 'alice', key: 'alice', displayName: 'Alice', emailAddress: 'alice@example.com' })
  }
  t.equal(sim.stats.callsByUser.alice?.myself, 2)
})

t.test('myself without identity answers 401 JSON', async (t) => {
  const sim = await startSimulator(t)
  const res = await fetch(`${sim.url}/rest/api/2/myself`)
  t.equal(res.status, 401)
  t.equal(res.headers.get('content-type'), 'application/json;charset=UTF-8')
  t.match(await res.json(), { errorMessages: [String] })
  t.equal(sim.stats.calls.myself, 1)
})

import t from 'tap'
import { BASIC_DISABLED_MESSAGE } from '../../src/simulator/index.js'
import { startSimulator } from '../helpers/simulator.js'
import { basic, login } from './_client.js'

t.test('with Basic auth disabled any Basic request answers 403 with a message', async (t) => {
  const sim = await startSimulator(t, { basicAuthDisabled: true })
  for (const path of ['/rest/api/2/myself', '/rest/softwareplant-bigpicture/1.0/system/auth']) {
    const res = await fetch(`${sim.url}${path}`, { headers: { authorization: basic('alice', 'alice-secret') } })
    t.equal(res.status, 403, path)
    t.match(res.headers.get('content-type'), /^text\/plain/)
    t.equal(await res.text(), BASIC_DISABLED_MESSAGE)
    t.equal(BASIC_DISABLED_MESSAGE, 'Basic authentication has been disabled on this instance.')
    t.same(res.headers.getSetCookie(), [])
  }
  t.equal(sim.stats.calls.basic, 2)
  t.equal(sim.stats.callsByUser.alice?.basic, 2)
  t.equal(sim.stats.sessionsCreated, 0)

  const id = await login(sim, 'alice', 'alice-secret')
  t.ok(id, 'the REST login still works')
})

t.test('setBasicAuthDisabled switches it at run time', async (t) => {
  const sim = await startSimulator(t)
  const ask = (): Promise<Response> => fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal((await ask()).status, 200)
  sim.control.setBasicAuthDisabled(true)
  t.equal((await ask()).status, 403)
  sim.control.setBasicAuthDisabled(false)
  t.equal((await ask()).status, 200)
})

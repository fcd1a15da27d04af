import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { basic, login } from './_client.js'

t.test('setAuthMode changes how system/auth answers', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const auth = (): Promise<Response> => fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/system/auth`, { headers: { cookie: `JSESSIONID=${id}` } })

  sim.control.setAuthMode('garbage')
  const garbage = await auth()
  t.equal(garbage.status, 200)
  t.match(garbage.headers.get('content-type'), /^text\/html/)
  t.equal(await garbage.text(), '<html>Oops</html>')

  sim.control.setAuthMode('error500')
  const failing = await auth()
  t.equal(failing.status, 500)
  await failing.arrayBuffer()

  sim.control.setAuthMode('anonymous')
  const anonymous = await auth()
  t.equal(anonymous.status, 200)
  t.equal(anonymous.headers.get('x-ausername'), 'anonymous')
  t.same(await anonymous.json(), {})
  const ignored = await fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/system/auth`, { headers: { authorization: basic('bob', 'bob-secret') } })
  t.equal(ignored.status, 200, 'credentials are ignored')
  t.same(ignored.headers.getSetCookie(), [])
  t.same(await ignored.json(), {})

  sim.control.setAuthMode('ok')
  const ok = await auth()
  t.equal(ok.status, 200)
  t.match(await ok.json(), { authentication: String, refresh: String })
  t.equal(sim.stats.calls.auth, 5)
})

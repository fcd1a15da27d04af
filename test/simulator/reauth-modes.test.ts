import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { login, tokensFor } from './_client.js'

t.test('setReauthMode changes how system/reauth answers', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const { refresh } = await tokensFor(sim, id)
  const reauth = (): Promise<Response> => fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/system/reauth`, { headers: { authorization: refresh } })

  sim.control.setReauthMode('fail')
  const failed = await reauth()
  t.equal(failed.status, 401)
  t.same(await failed.json(), { message: 'JWT token is invalid or expired' })

  sim.control.setReauthMode('error500')
  const broken = await reauth()
  t.equal(broken.status, 500)
  await broken.arrayBuffer()

  sim.control.setReauthMode('ok')
  const ok = await reauth()
  t.equal(ok.status, 200)
  t.match(await ok.json(), { authentication: String })
  t.equal(sim.stats.calls.reauth, 3)
})

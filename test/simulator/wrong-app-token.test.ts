import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { bigPicture } from './_bigpicture.js'
import { login, tokensFor } from './_client.js'

t.test('each app accepts only its own tokens', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const gantt = await tokensFor(sim, id, 'softwareplant-biggantt')
  t.equal((await bigPicture(sim, '/box', id, gantt.authentication, {}, 'softwareplant-biggantt')).status, 200)
  t.equal((await bigPicture(sim, '/box', id, gantt.authentication, {}, 'softwareplant-bigpicture')).status, 401)
  t.equal((await bigPicture(sim, '/box', id, gantt.authentication, {}, 'softwareplant-bigtemplate')).status, 401)
  t.equal((await bigPicture(sim, '/box', id, gantt.refresh, {}, 'softwareplant-biggantt')).status, 401, 'a refresh token is no authentication token')
  t.equal((await bigPicture(sim, '/box', id, `Bearer ${gantt.authentication}`, {}, 'softwareplant-biggantt')).status, 401, 'the raw value, not Bearer')
  t.equal(sim.stats.rejectedTokens, 4)
})

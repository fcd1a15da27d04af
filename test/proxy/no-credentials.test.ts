import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('without credentials or a service identity the request goes as is and Jira answers 401', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url })
  const res = await call(`${proxy.url}${BP}/box`)
  t.equal(res.status, 401)
  t.equal(res.headers.get('x-ausername'), 'anonymous', "Jira's own answer")
  t.equal(sim.stats.calls.auth ?? 0, 0, 'no token was asked for')
  t.equal(sim.stats.calls.login ?? 0, 0)
})

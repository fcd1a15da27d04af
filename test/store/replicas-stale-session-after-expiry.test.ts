import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { twoReplicasServingBob } from './_replicas.js'

// A replica that finds its Jira session dead does not take a session another replica logged in
// before that moment: whatever killed its own (every session of the account expired) may have
// killed that one too, and the one replay would be spent on it.

t.test('a session another replica stored before the expiry is not taken for the dead one', async (t) => {
  const { sim, a, b, headers } = await twoReplicasServingBob(t)
  sim.control.expireSessions('bob')
  t.equal((await call(`${b}${BP}/box`, { headers })).status, 200, 'the second replica logs in again and stores its session')
  sim.control.expireSessions('bob')
  const sessions = sim.stats.sessionsCreated
  t.equal((await call(`${a}${BP}/box`, { headers })).status, 200, 'the first replica logs in again instead of taking the expired session')
  t.equal(sim.stats.sessionsCreated, sessions + 1, 'one login for it')
})

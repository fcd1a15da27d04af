import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { twoReplicasServingBob } from './_replicas.js'

// After BigPicture refused a token, a pair another replica stored before the refusal was heard of
// may have died of the same cause: the one replay is not spent on it.

t.test('a pair another replica stored before a revocation is not taken for the refused token', async (t) => {
  const { sim, a, b, headers } = await twoReplicasServingBob(t)
  sim.control.revokeAuthTokens()
  t.equal((await call(`${b}${BP}/box`, { headers })).status, 200, 'the second replica refreshes and stores its pair')
  sim.control.revokeAuthTokens()
  const reauths = sim.stats.calls.reauth ?? 0
  t.equal((await call(`${a}${BP}/box`, { headers })).status, 200, 'the first replica, refused, refreshes instead of taking the revoked pair')
  t.equal(sim.stats.calls.reauth, reauths + 1, 'one reauth for it')
})

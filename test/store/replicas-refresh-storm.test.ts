import t from 'tap'
import { BP, basic, call, loginCookie, until } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { roundRobin, startReplicas } from './_replicas.js'

// Tokens revoked while three replicas serve: 60 requests at once, spread over them, cause one
// reauth in all (the replicas that lost the race take the winner's token from the store), and
// every caller gets 200.

for (const kind of ['cookie', 'basic'] as const) {
  t.test(`a refresh storm over three replicas (${kind} caller): one reauth`, async (t) => {
    const sim = await startSimulator(t)
    const redis = await startRedis(t)
    const replicas = await startReplicas(t, 3, sim.url, redis)
    const headers: Record<string, string> = kind === 'cookie' ? { cookie: await loginCookie(sim.url, 'alice', 'alice-secret') } : { authorization: basic('bob', 'bob-secret') }
    for (const replica of replicas) t.equal((await call(`${replica.url}${BP}/box`, { headers })).status, 200, 'each replica has the token')
    const authBefore = sim.stats.calls.auth
    sim.control.revokeAuthTokens()
    const answers = await Promise.all(Array.from({ length: 60 }, async (_, i) => await call(`${roundRobin(replicas, i).url}${BP}/box`, { headers })))
    t.same(answers.map((a) => a.status), Array(60).fill(200), 'every caller got 200')
    t.equal(sim.stats.calls.reauth, 1, 'exactly one reauth across replicas')
    t.equal(sim.stats.calls.auth, authBefore, 'no extra auth')
  })
}

t.test('one replica refreshed before another heard its token refused: that one refreshes too', async (t) => {
  // The stored pair was refreshed before the second replica heard of its refusal: for all it
  // knows, whatever killed its token killed that pair too, so it does not spend its replay on it.
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const [a, b] = await startReplicas(t, 2, sim.url, redis)
  const headers = { authorization: basic('bob', 'bob-secret') }
  for (const replica of [a, b]) t.equal((await call(`${replica?.url ?? ''}${BP}/box`, { headers })).status, 200)
  sim.control.revokeAuthTokens()
  t.equal((await call(`${a?.url ?? ''}${BP}/box`, { headers })).status, 200, 'the first replica refreshes')
  t.equal(sim.stats.calls.reauth, 1)
  t.equal((await call(`${b?.url ?? ''}${BP}/box`, { headers })).status, 200, 'the second is refused, then refreshes itself')
  t.equal(sim.stats.calls.reauth, 2, 'a reauth of its own')
  t.equal(sim.stats.calls.auth, 1)
})

t.test('a request in flight while another replica refreshed takes that replica\'s token when its 401 comes back', async (t) => {
  // The storm's shape, made deterministic: B's request was sent with the revoked token before A's
  // refresh began, and its 401 comes back after. A's pair answered the refusal of that very token,
  // so it was issued after the token's death and after B's request was sent: B takes it.
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const [a, b] = await startReplicas(t, 2, sim.url, redis)
  const headers = { authorization: basic('bob', 'bob-secret') }
  for (const replica of [a, b]) t.equal((await call(`${replica?.url ?? ''}${BP}/box`, { headers })).status, 200)
  sim.control.revokeAuthTokens()
  const seen = sim.stats.requests
  sim.control.setLatency(600)
  const slow = call(`${b?.url ?? ''}${BP}/box`, { headers })
  await until(() => sim.stats.requests > seen)
  sim.control.setLatency(0)
  t.equal((await call(`${a?.url ?? ''}${BP}/box`, { headers })).status, 200, 'the first replica refreshes')
  t.equal(sim.stats.calls.reauth, 1)
  t.equal((await slow).status, 200, 'the request in flight is replayed with the stored token')
  t.equal(sim.stats.calls.reauth, 1, 'no second reauth')
  t.equal(sim.stats.calls.auth, 1)
})

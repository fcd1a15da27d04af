import t, { type Test } from 'tap'
import { BP, basic, call, loginCookie, sleep, until } from '../helpers/clients.js'
import { startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { type Simulator, roundRobin, startReplicas, twoReplicasServingBob } from './_replicas.js'

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

/** Two replicas sharing a store, both holding bob's token, which is then revoked. */
async function bothHoldARevokedToken (t: Test): Promise<{ sim: Simulator, a: string, b: string, headers: Record<string, string> }> {
  const replicas = await twoReplicasServingBob(t)
  replicas.sim.control.revokeAuthTokens()
  return replicas
}

/** Sends a request that Jira answers `ms` late; resolves once Jira has it (the answer still to come). */
async function sentSlowly (sim: Simulator, url: string, headers: Record<string, string>, ms: number): Promise<{ answer: ReturnType<typeof call> }> {
  const seen = sim.stats.requests
  sim.control.setLatency(ms)
  const answer = call(url, { headers })
  await until(() => sim.stats.requests > seen)
  sim.control.setLatency(0)
  // Wrapped: an async function returning the promise itself would wait for the answer.
  return { answer }
}

t.test('one replica refreshed before another sent its request with the refused token: that one refreshes too', async (t) => {
  // The second replica's request went out after the first replica's refresh began: for all it
  // knows, whatever killed its token killed that pair too, so it does not spend its replay on it.
  const { sim, a, b, headers } = await bothHoldARevokedToken(t)
  t.equal((await call(`${a}${BP}/box`, { headers })).status, 200, 'the first replica refreshes')
  t.equal(sim.stats.calls.reauth, 1)
  t.equal((await call(`${b}${BP}/box`, { headers })).status, 200, 'the second is refused, then refreshes itself')
  t.equal(sim.stats.calls.reauth, 2, 'a reauth of its own')
  t.equal(sim.stats.calls.auth, 1)
})

t.test('a request in flight while another replica refreshed takes that replica\'s token when its 401 comes back', async (t) => {
  // The storm's shape, made deterministic: B's request was sent with the revoked token before A's
  // refresh began, and its 401 comes back after. A's pair answered the refusal of that very token,
  // so it was issued after the token's death and after B's request was sent: B takes it.
  const { sim, a, b, headers } = await bothHoldARevokedToken(t)
  const { answer: slow } = await sentSlowly(sim, `${b}${BP}/box`, headers, 600)
  t.equal((await call(`${a}${BP}/box`, { headers })).status, 200, 'the first replica refreshes')
  t.equal(sim.stats.calls.reauth, 1)
  t.equal((await slow).status, 200, 'the request in flight is replayed with the stored token')
  t.equal(sim.stats.calls.reauth, 1, 'no second reauth')
  t.equal(sim.stats.calls.auth, 1)
})

t.test('the earliest request refused with the token counts, even when a later one was answered first', async (t) => {
  // B's first 401 is for a request sent after A's refresh began; one it sent before that comes
  // back while B waits for A's refresh to land. That earlier one shows the token was dead before A
  // refreshed, so B takes A's pair.
  const { sim, a, b, headers } = await bothHoldARevokedToken(t)
  const { answer: early } = await sentSlowly(sim, `${b}${BP}/box`, headers, 800)
  const release = sim.control.holdTokenAnswers()
  const first = call(`${a}${BP}/box`, { headers })
  await until(() => (sim.stats.calls.reauth ?? 0) === 1)
  const late = call(`${b}${BP}/box`, { headers })
  await sleep(1000)
  release()
  t.same([(await first).status, (await late).status, (await early).status], [200, 200, 200], 'every request answered 200')
  t.equal(sim.stats.calls.reauth, 1, 'one reauth across both replicas')
})

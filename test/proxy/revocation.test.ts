import t, { type Test } from 'tap'
import { BP, call, sleep, until } from '../helpers/clients.js'
import { cookieSession } from '../helpers/session.js'

t.test('server-side revocation of the authentication token: reauth and a transparent retry', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAuthTokens()
  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(res.status, 200)
  t.equal(sim.stats.calls.reauth, 1)
  t.equal(sim.stats.calls.auth, 1)
  t.equal(sim.stats.rejectedTokens, 1, 'exactly one rejected attempt, then the replay')
})

t.test('revocation of both tokens: reauth fails, a fresh auth follows, then the retry', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAllTokens()
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(sim.stats.calls.reauth, 1)
  t.equal(sim.stats.calls.auth, 2)
})

t.test('when every refresh path fails the 401 reaches the caller after one retry, never a loop', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAllTokens()
  sim.control.setReauthMode('fail')
  sim.control.setAuthMode('anonymous')
  const res = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(res.status, 401)
  t.equal(sim.stats.rejectedTokens, 1, 'one request reached BigPicture')
  t.equal(sim.stats.calls.reauth, 1)
  t.equal(sim.stats.calls.auth, 2)
})

// A streamed upload asks system/auth for a fresh token; its answer is held until after a
// revocation, so the token it brings back is already dead when it arrives.
async function uploadWithHeldToken (t: Test) {
  const scene = await cookieSession(t, {}, { MAX_REPLAY_BODY_BYTES: String(1024) })
  const { sim, proxy, cookie } = scene
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  const release = sim.control.holdTokenAnswers()
  t.teardown(release)
  const upload = fetch(`${proxy.url}${BP}/box/1/task`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'large', notes: 'z'.repeat(8192) })
  }).then(async (res) => { await res.arrayBuffer(); return res.status })
  await until(() => sim.stats.calls.auth === 2)
  sim.control.revokeAllTokens()
  return { ...scene, release, upload }
}

t.test('a refusal heard while an earlier refresh is still out waits for it, then refreshes anew', async (t) => {
  const { sim, proxy, cookie, release, upload } = await uploadWithHeldToken(t)
  // Sent with the old token, refused: the refresh in flight started before the revocation.
  const victim = call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  await until(() => sim.stats.rejectedTokens === 1)
  await sleep(100) // the proxy has the 401 and waits for the held refresh
  release()
  t.equal((await victim).status, 200, 'the one replay carries a token issued after the revocation')
  t.equal(await upload, 401, 'the upload, sent once with the token issued before the revocation, is refused')
  t.equal(sim.stats.rejectedTokens, 2, 'the victim once and the upload once: no replay refused')
})

t.test('a refusal heard after an earlier refresh landed does not take that refresh\'s token', async (t) => {
  const { sim, proxy, cookie, release, upload } = await uploadWithHeldToken(t)
  // The old token reaches Jira late: the held refresh lands at the proxy while it travels.
  sim.control.setLatency(300)
  const victim = call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  await sleep(100)
  release()
  t.equal(await upload, 401)
  t.equal((await victim).status, 200, 'the token that landed meanwhile predates the revocation: not used for the replay')
  t.equal(sim.stats.rejectedTokens, 2, 'the victim once and the upload once: no replay refused')
})

t.test('a token from a refresh that started before a refusal is not handed to requests that come later', async (t) => {
  const { sim, proxy, cookie, release, upload } = await uploadWithHeldToken(t)
  const victim = call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  await until(() => sim.stats.rejectedTokens === 1)
  await sleep(100)
  // The victim's own refresh starts as soon as the held one lands; it is slow.
  sim.control.setLatency(300)
  release()
  await sleep(100)
  // Arrives after the held token landed, before the victim's refresh did.
  const later = call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal((await victim).status, 200)
  t.equal((await later).status, 200)
  t.equal(await upload, 401)
  t.equal(sim.stats.rejectedTokens, 2, 'the later request waited for the new token instead of sending the suspect one')
})

t.test('a storm of refusals of one token costs one refresh', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  sim.control.revokeAuthTokens()
  sim.control.setLatency(50)
  const answers = await Promise.all(Array.from({ length: 20 }, () => call(`${proxy.url}${BP}/box`, { headers: { cookie } })))
  t.same(answers.map((a) => a.status), Array(20).fill(200))
  t.equal(sim.stats.calls.reauth, 1, 'every refused request waited for the refresh the first refusal started')
  t.equal(sim.stats.calls.auth, 1)
})

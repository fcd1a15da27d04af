import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { jwtPayload, login, tokensFor } from './_client.js'

t.test('clockOffsetSeconds shows in the Date header and in JWT iat/exp', async (t) => {
  const offset = -3600
  const sim = await startSimulator(t, { clockOffsetSeconds: offset })
  const id = await login(sim, 'alice', 'alice-secret')
  const res = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { cookie: `JSESSIONID=${id}` } })
  const date = Date.parse(res.headers.get('date') ?? '') / 1000
  const expected = Date.now() / 1000 + offset
  t.ok(Math.abs(date - expected) < 5, `Date ${date} near ${expected}`)

  const { authentication, refresh } = await tokensFor(sim, id)
  const auth = jwtPayload(authentication)
  t.ok(Math.abs((auth.iat as number) - expected) < 5, 'iat on the simulator clock')
  t.equal((auth.exp as number) - (auth.iat as number), 900)
  const ref = jwtPayload(refresh)
  t.equal((ref.exp as number) - (ref.iat as number), 604800)
})

t.test('tokens stay valid on the skewed clock even when their exp is in the host past', async (t) => {
  const sim = await startSimulator(t, { clockOffsetSeconds: -7200 })
  const id = await login(sim, 'bob', 'bob-secret')
  const { authentication } = await tokensFor(sim, id)
  t.ok((jwtPayload(authentication).exp as number) < Date.now() / 1000, 'exp is before the host clock')
  const res = await fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/box`, {
    headers: { cookie: `JSESSIONID=${id}`, authorization: authentication }
  })
  t.equal(res.status, 200)
})

import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { login, tokensFor } from './_client.js'

t.test('tokens are HS256 JWTs shaped like BigPicture\'s', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const first = await tokensFor(sim, id)
  const second = await tokensFor(sim, id)
  for (const token of [first.authentication, first.refresh]) {
    const parts = token.split('.')
    t.equal(parts.length, 3)
    for (const part of parts) t.match(part, /^[A-Za-z0-9_-]+$/, 'base64url without padding')
    t.same(JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString()), { alg: 'HS256', typ: 'JWT' })
    t.equal(Buffer.from(parts[2] ?? '', 'base64url').length, 32, 'a SHA-256 HMAC')
  }
  const payload = JSON.parse(Buffer.from(first.authentication.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>
  t.match(payload, { sub: 'alice', sid: id, app: 'softwareplant-bigpicture', typ: 'auth', jti: String, iat: Number, exp: Number })
  t.ok(first.authentication.length >= 380 && first.authentication.length <= 420, `about 400 bytes (${first.authentication.length})`)
  t.not(first.authentication, second.authentication, 'each token is unique')
  t.not(payload.jti, JSON.parse(Buffer.from(second.authentication.split('.')[1] ?? '', 'base64url').toString()).jti)
})

t.test('a forged signature is rejected', async (t) => {
  const sim = await startSimulator(t)
  const id = await login(sim, 'alice', 'alice-secret')
  const { authentication } = await tokensFor(sim, id)
  const [header, payload] = authentication.split('.')
  const forged = `${header}.${payload}.${Buffer.alloc(32).toString('base64url')}`
  const res = await fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/box`, { headers: { cookie: `JSESSIONID=${id}`, authorization: forged } })
  t.equal(res.status, 401)
})

import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { basic } from './_client.js'

const loginAs = (url: string, username: string, password: string): Promise<Response> => fetch(`${url}/rest/auth/1/session`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username, password })
})

t.test('after three failures even the right password meets a CAPTCHA until it is reset', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  for (let i = 0; i < 3; i++) {
    const res = await loginAs(sim.url, 'alice', 'wrong')
    t.equal(res.status, 401, `failure ${i + 1}`)
    t.equal(res.headers.get('x-seraph-loginreason'), 'AUTHENTICATED_FAILED')
  }
  const denied = await loginAs(sim.url, 'alice', 'alice-secret')
  t.equal(denied.status, 403)
  t.equal(denied.headers.get('x-seraph-loginreason'), 'AUTHENTICATION_DENIED')
  t.equal(denied.headers.get('x-authentication-denied-reason'), `CAPTCHA_CHALLENGE; login-url=${sim.url}/login.jsp`)
  t.same(denied.headers.getSetCookie(), [])

  const viaBasic = await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: basic('alice', 'alice-secret') } })
  t.equal(viaBasic.status, 403, 'Basic credentials meet the same CAPTCHA')
  t.equal(viaBasic.headers.get('x-seraph-loginreason'), 'AUTHENTICATION_DENIED')
  t.match(viaBasic.headers.get('x-authentication-denied-reason'), /^CAPTCHA_CHALLENGE; login-url=/)

  t.equal((await loginAs(sim.url, 'bob', 'bob-secret')).status, 200, 'other users are not affected')
  t.equal(sim.stats.captchaChallenges, 2)
  t.equal(sim.stats.loginFailures, 3)

  sim.control.resetCaptcha('alice')
  t.equal((await loginAs(sim.url, 'alice', 'alice-secret')).status, 200)
})

t.test('a successful login resets the failure count', async (t) => {
  const sim = await startSimulator(t)
  await loginAs(sim.url, 'bob', 'wrong')
  await loginAs(sim.url, 'bob', 'wrong')
  t.equal((await loginAs(sim.url, 'bob', 'bob-secret')).status, 200)
  await loginAs(sim.url, 'bob', 'wrong')
  await loginAs(sim.url, 'bob', 'wrong')
  t.equal((await loginAs(sim.url, 'bob', 'bob-secret')).status, 200, 'two more failures are not yet three')
})

t.test('Basic failures count toward the CAPTCHA; resetCaptcha() clears every user', async (t) => {
  const sim = await startSimulator(t, { captchaAfter: 2 })
  for (let i = 0; i < 2; i++) await fetch(`${sim.url}/rest/api/2/myself`, { headers: { authorization: basic('svc', 'bad') } })
  for (let i = 0; i < 2; i++) await loginAs(sim.url, 'bob', 'bad')
  t.equal((await loginAs(sim.url, 'svc', 'svc-secret')).status, 403)
  t.equal((await loginAs(sim.url, 'bob', 'bob-secret')).status, 403)
  sim.control.resetCaptcha()
  t.equal((await loginAs(sim.url, 'svc', 'svc-secret')).status, 200)
  t.equal((await loginAs(sim.url, 'bob', 'bob-secret')).status, 200)
})

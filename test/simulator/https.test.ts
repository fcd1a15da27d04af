import { readFileSync } from 'node:fs'
import t from 'tap'
import { Agent, request } from 'undici'
import { startSimulator } from '../helpers/simulator.js'

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))

t.test('with a key pair the simulator serves HTTPS', async (t) => {
  const cert = fixture('localhost-cert.pem')
  const sim = await startSimulator(t, { tls: { key: fixture('localhost-key.pem'), cert }, secureCookies: true, contextPath: '/jira' })
  t.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+\/jira$/)
  const dispatcher = new Agent({ connect: { ca: cert } })
  t.teardown(() => dispatcher.close())
  const res = await request(`${sim.url}/rest/auth/1/session`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'alice-secret' })
  })
  t.equal(res.statusCode, 200)
  t.match(res.headers['set-cookie'], /; Path=\/jira; HttpOnly; Secure$/)
  await res.body.dump()
})

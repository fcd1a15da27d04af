import { connect } from 'node:net'
import t from 'tap'
import { BP, call, loginCookie, rawRequest } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { cookieSession } from '../helpers/session.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('dot-segment and encoded-slash tricks neither gain nor lose the token', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, {}, { LOG_LEVEL: 'info' })
  sim.control.resetStats()
  for (const path of [
    '/rest/softwareplant-bigpicture/..%2f..%2frest/api/2/myself',
    '/rest/softwareplant-bigpicture/../../rest/api/2/myself',
    '/rest/softwareplant-bigpicture/%2e%2e/%2E%2E/rest/api/2/myself',
    '/rest/api/2/..%2f..%2frest/softwareplant-bigpicture/1.0/box',
    '/rest/softwareplant-bigpicture\\..\\..\\rest/api/2/myself',
    '/rest/./softwareplant-bigpicture/1.0/box'
  ]) {
    const res = await rawRequest(proxy.url, { path, headers: { cookie } })
    t.equal(res.status, 400, path)
    t.equal(JSON.parse(res.text).code, 'INVALID_PATH', path)
  }
  t.equal(sim.stats.requests, 0, 'none of them reached Jira')
  const encoded = await rawRequest(proxy.url, { path: '/rest/softwareplant-bigpicture%2F1.0/box', headers: { cookie } })
  t.equal(encoded.status, 400, "an encoded slash is classified like Jira (Tomcat) reads it, and Jira refuses it")
  t.equal(sim.stats.calls.auth ?? 0, 1, 'it was treated as BigPicture, so the token went only to a BigPicture path')
})

t.test('bad percent-encoding and malformed cookies get a clear answer, never a crash', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' })
  const bad = await rawRequest(proxy.url, { path: '/rest/%zz/1.0' })
  t.equal(bad.status, 400)
  t.ok(JSON.parse(bad.text).code, 'JSON error')
  for (const cookie of ['JSESSIONID', 'JSESSIONID=;;;', '=;=;', 'JSESSIONID="unterminated', `JSESSIONID=${'x'.repeat(4000)}`, 'JSESSIONID=\u00e9\u00e8', 'a=b; JSESSIONID=; c=d']) {
    const res = await rawRequest(proxy.url, { path: `${BP}/box`, headers: { cookie } })
    t.ok(res.status === 401 || res.status === 400, `${cookie.slice(0, 30)} -> ${res.status}`)
  }
  t.equal((await call(`${proxy.url}/_proxy/healthz`)).status, 200, 'still alive')
})

t.test('oversized headers get 431 and the proxy keeps serving', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, LOG_LEVEL: 'info' })
  const res = await rawRequest(proxy.url, { path: '/rest/api/2/myself', headers: { 'x-big': 'y'.repeat(70_000) } }).catch((err: Error) => ({ status: -1, text: err.message }))
  t.ok(res.status === 431 || res.status === -1, `answered ${res.status}`)
  t.equal((await call(`${proxy.url}/_proxy/healthz`)).status, 200)
})

t.test('a client that disconnects mid-upload leaves no trace and nothing half-applied', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t, {}, { LOG_LEVEL: 'info' })
  for (const path of [`${BP}/box/1/task`, '/rest/api/2/issue/ABC-1/attachments']) {
    await new Promise<void>((resolve) => {
      const port = Number(new URL(proxy.url).port)
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${cookie}\r\nX-Atlassian-Token: no-check\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":"half`)
        setTimeout(() => { socket.destroy(); resolve() }, 200)
      })
      socket.on('error', () => resolve())
    })
  }
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(sim.stats.tasks.length, 0, 'no half body was applied')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200, 'the proxy serves on')
})

t.test('a flood of distinct fake cookies keeps the cache bounded and the auth calls bounded', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, IDENTITY_CACHE_MAX: '100', NEW_SESSIONS_PER_SECOND: '40', LOG_LEVEL: 'info' })
  const statuses = new Map<number, number>()
  const started = Date.now()
  for (let batch = 0; batch < 20; batch++) {
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => call(`${proxy.url}${BP}/box`, { headers: { cookie: `JSESSIONID=FAKE${batch}x${i}` } })))
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1)
  }
  t.ok(proxy.store.size <= 100, `cache holds ${proxy.store.size} identities`)
  t.ok((sim.stats.calls.auth ?? 0) < 1000, `${sim.stats.calls.auth} auth calls for 1000 fake cookies`)
  const seconds = (Date.now() - started) / 1000
  // A burst of 5 x 40 first contacts, then 40 per second.
  t.ok((sim.stats.calls.auth ?? 0) <= 200 + 40 * seconds + 1, `bounded by the new-session rate over ${seconds.toFixed(1)} s`)
  t.same([...statuses.keys()].filter((s) => s !== 401 && s !== 503), [], 'each got 401 (Jira) or 503 (slow down)')
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200, 'a real session still works')
})

import t from 'tap'
import { BP, call, clientAt, loginCookie } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('refused made-up cookies leave nothing in the identity cache and push no live identity out', async (t) => {
  const sim = await startSimulator(t)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, IDENTITY_CACHE_MAX: '5', LOG_LEVEL: 'info' })
  const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal(proxy.store.size, 1)
  const flood = await clientAt(t, '127.0.0.2')
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const res = await flood(`${proxy.url}${BP}/box`, { headers: { cookie: `JSESSIONID=JUNK${batch}x${i}` } })
      t.ok(res.status === 401 || res.status === 503, "Jira's answer to a dead session, or slow down")
    }))
  }
  t.equal(proxy.store.size, 1, 'no refused cookie stayed in the cache')
  const again = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
  t.equal(again.status, 200, 'the cached identity still works')
  t.equal(sim.stats.callsByUser.alice?.auth, 1, 'without asking system/auth again')
})

t.test("one address's flood of made-up cookies does not starve first contacts from other addresses", async (t) => {
  const sim = await startSimulator(t)
  // 4 first contacts a second (bursts of 20) in all; one address gets 1 a second (bursts of 5).
  const proxy = await startProxy(t, { JIRA_URL: sim.url, NEW_SESSIONS_PER_SECOND: '4', LOG_LEVEL: 'info' })
  const users = ['u1', 'u2', 'u3', 'u4', 'u5']
  for (const user of users) sim.control.addUser(user, `${user}-secret`)
  const cookies = await Promise.all(users.map((user) => loginCookie(proxy.url, user, `${user}-secret`)))

  const flood = await clientAt(t, '127.0.0.2')
  let flooding = true
  let sent = 0
  const floodDone = Promise.all(Array.from({ length: 10 }, async (_, worker) => {
    for (let i = 0; flooding; i++) {
      await flood(`${proxy.url}${BP}/box`, { headers: { cookie: `JSESSIONID=FLOOD${worker}x${i}` } })
      sent++
    }
  }))
  while (sent < 200) await new Promise((resolve) => setTimeout(resolve, 20))

  const real = await clientAt(t, '127.0.0.3')
  const statuses = []
  for (const cookie of cookies) statuses.push((await real(`${proxy.url}${BP}/box`, { headers: { cookie } })).status)
  flooding = false
  await floodDone
  t.same(statuses, [200, 200, 200, 200, 200], 'every freshly logged-in user gets through during the flood')
})

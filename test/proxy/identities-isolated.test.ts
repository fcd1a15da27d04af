import t from 'tap'
import { BP, basic, call, loginCookie } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

t.test('several identities in parallel with revocations never mix cookies or tokens', async (t) => {
  const users = Array.from({ length: 8 }, (_, i) => `user${i}`)
  const sim = await startSimulator(t, { authTokenSeconds: 3 })
  for (const u of users) sim.control.addUser(u, `${u}-pw`)
  const proxy = await startProxy(t, { JIRA_URL: sim.url, TOKEN_REFRESH_SKEW_SECONDS: '1' })
  // Half the users come with a cookie, half with Basic credentials.
  const clients = await Promise.all(users.map(async (u, i): Promise<{ user: string, headers: Record<string, string> }> => i % 2 === 0
    ? { user: u, headers: { cookie: await loginCookie(proxy.url, u, `${u}-pw`) } }
    : { user: u, headers: { authorization: basic(u, `${u}-pw`) } }))

  const stop = Date.now() + 4000
  let revocations = 0
  const revoker = (async () => {
    while (Date.now() < stop) {
      await new Promise((resolve) => setTimeout(resolve, 300))
      if (revocations % 2 === 0) sim.control.revokeAuthTokens()
      else sim.control.revokeAllTokens()
      revocations++
    }
  })()
  const statuses: number[] = []
  const unexpected: string[] = []
  await Promise.all(clients.map(async (c, i) => {
    let n = 0
    while (Date.now() < stop) {
      const res = await call(`${proxy.url}${BP}/box/1/task`, {
        method: 'POST',
        headers: { ...c.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `${c.user}-${n++}`, client: i })
      })
      statuses.push(res.status)
      if (res.status !== 201) unexpected.push(`${c.user}: ${res.status} ${JSON.stringify(res.body)}`)
    }
  }))
  await revoker
  t.ok(revocations >= 5, 'revocations happened during the run')
  t.same(unexpected, [], 'every request succeeded')
  t.equal(sim.stats.identityMismatches, 0, "no request carried another identity's token")
  for (const task of sim.stats.tasks) {
    const body = JSON.parse(task.body) as { name: string }
    if (!body.name.startsWith(`${task.user}-`)) t.fail(`task ${body.name} was applied as ${task.user}`)
  }
  t.equal(sim.stats.tasks.length, statuses.length, 'each accepted POST applied exactly once')
})

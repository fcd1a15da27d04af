import t from 'tap'
import { BP, call, loginCookie } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

for (const [label, contextPath, suffix] of [['no context path', '', ''], ['no context path, trailing slash', '', '/'], ['/jira', '/jira', ''], ['/jira/ with trailing slash', '/jira', '/']] as const) {
  t.test(`JIRA_URL with ${label}`, async (t) => {
    const sim = await startSimulator(t, { contextPath })
    const proxy = await startProxy(t, { JIRA_URL: sim.url + suffix })
    const cookie = await loginCookie(proxy.url, 'alice', 'alice-secret')
    t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers: { cookie } })).status, 200)
    t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  })
}

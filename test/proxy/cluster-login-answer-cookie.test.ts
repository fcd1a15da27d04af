import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { clusterScene, nodeCounting, relogins } from '../helpers/cluster.js'

const LOGIN_ONLY = { mode: 'cookie', setCookie: 'session' } as const

/**
 * A balancer that sets its affinity cookie only on the answer that opens a Jira session (the
 * login), never again: the proxy's sessions keep the cookie from that one answer and stay on their
 * node through refreshes and revocations; after a failover, the new login's answer pins them anew.
 */
for (const nodes of [2, 3]) {
  t.test(`${nodes} nodes: the balancer's cookie comes with the login answer only`, async (t) => {
    const { sim, proxy, callers } = await clusterScene(t, { nodes, affinity: LOGIN_ONLY })
    const round = async (step: string): Promise<void> => {
      for (const c of callers) {
        t.equal((await call(`${proxy.url}${BP}/box`, { headers: c.headers })).status, 200, `${step}, ${c.kind}: BigPicture`)
        const me = await call(`${proxy.url}/rest/api/2/myself`, { headers: c.headers })
        t.equal((me.body as { name?: string }).name, c.user, `${step}, ${c.kind}: Jira knows it`)
      }
    }
    for (let i = 0; i < 3; i++) await round(`round ${i}`)
    sim.control.revokeAllTokens()
    await round('after a revocation')
    t.equal(sim.stats.calls.auth, 8, 'system/auth twice per identity, each on its session\'s node')
    t.equal(sim.stats.sessionsCreated, 4, 'one session per identity')

    const service = callers.find((c) => c.kind === 'service')
    const home = await nodeCounting(sim, 'myself', async () => { await call(`${proxy.url}/rest/api/2/myself`) })
    await sim.control.stopNode(home)
    for (let i = 0; i < 5; i++) {
      t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers: service?.headers })).status, 200, `service, after the failover: Jira ${i}`)
      t.equal((await call(`${proxy.url}${BP}/box`, { headers: service?.headers })).status, 200, `service, after the failover: BigPicture ${i}`)
    }
    t.equal(await relogins(proxy), 1, 'the service identity logged in once more')
    t.equal(sim.stats.calls.login, 4, 'alice, bob and svc, then svc again on the new node')
  })
}

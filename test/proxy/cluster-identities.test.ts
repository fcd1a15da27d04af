import t from 'tap'
import { BP, call, sleep } from '../helpers/clients.js'
import { CLUSTERS, clusterScene } from '../helpers/cluster.js'

/**
 * On a Data Center (two and three nodes, behind each kind of balancer), every identity kind keeps
 * working across a proactive token refresh (reauth) and a revocation (system/auth again, which must
 * reach the node holding the session): one login per identity, no anonymous answer, nobody else's
 * data.
 */
for (const cluster of CLUSTERS) {
  t.test(`${cluster.name}: every identity across a refresh and a revocation`, async (t) => {
    const { sim, proxy, callers } = await clusterScene(t, cluster, { authTokenSeconds: 4 }, { TOKEN_REFRESH_SKEW_SECONDS: '2' })
    const round = async (step: string): Promise<void> => {
      for (const c of callers) {
        const box = await call(`${proxy.url}${BP}/box`, { headers: c.headers })
        t.equal(box.status, 200, `${step}, ${c.kind}: BigPicture`)
        const me = await call(`${proxy.url}/rest/api/2/myself`, { headers: c.headers })
        t.equal(me.status, 200, `${step}, ${c.kind}: Jira`)
        t.equal((me.body as { name?: string }).name, c.user, `${step}, ${c.kind}: Jira sees ${c.user}`)
        if (c.kind !== 'cookie') t.equal(me.headers.get('set-cookie'), null, `${step}, ${c.kind}: no cookie of the session the proxy keeps reaches the caller`)
      }
    }
    await round('first use')
    t.equal(sim.stats.calls.auth, 4, 'one system/auth per identity')
    // Past the refresh point (half the token's life): the next requests refresh with reauth.
    await sleep(2100)
    await round('after the refresh point')
    t.equal(sim.stats.calls.reauth, 4, 'each identity refreshed once with reauth')
    sim.control.revokeAllTokens()
    await round('after a revocation')
    t.equal(sim.stats.calls.auth, 8, 'each identity asked system/auth once more, on its session\'s node')
    t.equal(sim.stats.calls.login, 3, 'one REST login each: alice (through the proxy), bob by password, svc')
    t.equal(sim.stats.calls.pat, 1, "one login with bob's PAT")
    t.equal(sim.stats.sessionsCreated, 4, 'one Jira session per identity')
    t.equal(sim.stats.identityMismatches, 0)
    t.same((await proxy.metrics.sessionRelogins.get()).values, [], 'no re-login')
  })
}

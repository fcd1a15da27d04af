import t from 'tap'
import { BP, call, loginCookies } from '../helpers/clients.js'
import { CLUSTERS, nodeCounting } from '../helpers/cluster.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

/**
 * The node holding a cookie caller's own session dies: its requests get Jira's own 401 (never a
 * 5xx, never anyone else's data), the balancer's new affinity cookie reaches it, and once it logs
 * in again through the proxy it works on the new node. The proxy never logs in for it.
 */
for (const cluster of CLUSTERS) {
  t.test(`${cluster.name}: a cookie caller's node dies`, async (t) => {
    const sim = await startSimulator(t, { nodes: cluster.nodes, affinity: cluster.affinity })
    const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
    const cookie = await loginCookies(proxy.url, 'alice', 'alice-secret')
    const home = await nodeCounting(sim, 'auth', async () => {
      t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
    })

    await sim.control.stopNode(home)
    const first = await call(`${proxy.url}${BP}/box`, { headers: { cookie } })
    t.equal(first.status, 401)
    if (cluster.affinity.mode !== 'jvmRoute') t.match(first.headers.get('set-cookie'), /^(INGRESSCOOKIE|AWSALB)=[^;]+;.* Path=\//, "the balancer's new affinity cookie reaches the caller")
    for (const path of [`${BP}/box`, `${BP}/box/1`, '/rest/api/2/myself']) {
      const res = await call(`${proxy.url}${path}`, { headers: { cookie } })
      t.equal(res.status, 401, `${path}: Jira's 401`)
      t.equal(res.headers.get('x-ausername'), 'anonymous', `${path}: as Jira gives it`)
      t.notMatch(JSON.stringify(res.body), /svc|BIGPICTURE_AUTH_FAILED/, `${path}: nothing of the service identity's`)
    }
    t.equal(sim.stats.calls.login, 1, 'the proxy has no credentials to log in with for a cookie caller')

    const again = await loginCookies(proxy.url, 'alice', 'alice-secret')
    const box = await call(`${proxy.url}${BP}/box`, { headers: { cookie: again } })
    t.equal(box.status, 200, 'logged in again, it works on the node that took over')
    t.equal(sim.stats.identityMismatches, 0)
  })
}

import t from 'tap'
import { BP, basic, call } from '../helpers/clients.js'
import { CLUSTERS, PAT, nodeCounting, relogins } from '../helpers/cluster.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

const KINDS = [
  { kind: 'Basic', headers: { authorization: basic('bob', 'bob-secret') } },
  { kind: 'PAT', headers: { authorization: `Bearer ${PAT}` } }
]

/**
 * The node holding the Jira session the proxy made for a Basic or PAT caller dies: the caller's
 * next BigPicture request logs in once on the node the balancer now routes it to, and is replayed;
 * plain Jira requests go on with that session. One session, and one more per failover.
 */
for (const cluster of CLUSTERS) {
  for (const { kind, headers } of KINDS) {
    t.test(`${cluster.name}: a ${kind} caller's session node dies`, async (t) => {
      const sim = await startSimulator(t, { nodes: cluster.nodes, affinity: cluster.affinity, pats: { [PAT]: 'bob' } })
      const proxy = await startProxy(t, { JIRA_URL: sim.url })
      const home = await nodeCounting(sim, 'auth', async () => {
        t.equal((await call(`${proxy.url}${BP}/box`, { headers })).status, 200)
      })
      t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers })).status, 200)
      t.equal(sim.stats.sessionsCreated, 1)

      await sim.control.stopNode(home)
      const box = await call(`${proxy.url}${BP}/box`, { headers })
      t.equal(box.status, 200, 'BigPicture: logged in again and replayed')
      t.equal(box.headers.get('set-cookie'), null, 'no cookie of the proxy\'s session reaches the caller')
      for (let i = 0; i < 3; i++) {
        const me = await call(`${proxy.url}/rest/api/2/myself`, { headers })
        t.equal(me.status, 200)
        t.equal((me.body as { name?: string }).name, 'bob')
        t.equal((await call(`${proxy.url}${BP}/box/1`, { headers })).status, 200)
      }
      t.equal(sim.stats.sessionsCreated, 2, 'one session more, on the node that took over')
      t.equal(await relogins(proxy), 1)
      const now = await nodeCounting(sim, 'myself', async () => { await call(`${proxy.url}/rest/api/2/myself`, { headers }) })
      t.not(now, home, 'the session lives on the node that took over')
      t.equal(sim.stats.identityMismatches, 0)
    })
  }
}

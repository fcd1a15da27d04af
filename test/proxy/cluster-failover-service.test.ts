import t from 'tap'
import { BP, call, until } from '../helpers/clients.js'
import { CLUSTERS, nodeCounting, relogins } from '../helpers/cluster.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'

/**
 * The node holding the service identity's session dies while its requests are in flight. Those
 * cut mid-way get the balancer's answer (nothing the proxy can replay safely); every request after
 * that works: the proxy logs in once on the node the balancer now routes it to, keeping that
 * node's affinity cookie, and replays what had no body. One login plus one per failover.
 */
for (const cluster of CLUSTERS) {
  t.test(`${cluster.name}: the service session's node dies under load`, async (t) => {
    const sim = await startSimulator(t, { nodes: cluster.nodes, affinity: cluster.affinity })
    const proxy = await startProxy(t, { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
    const home = await nodeCounting(sim, 'login', async () => {
      t.equal((await call(`${proxy.url}${BP}/box`)).status, 200)
    })

    // Requests held on the node when it dies.
    const inFlight = Array.from({ length: 5 }, async () => await call(`${proxy.url}${BP}/slow?ms=5000`).then((r) => r.status, () => 'cut'))
    await until(() => (sim.stats.nodes[home]?.calls.bigpicture ?? 0) >= 6)
    // And a stream of requests of every sort that keeps going through the failover.
    let stop = false
    const statuses: Array<number | string> = []
    const stream = Array.from({ length: 4 }, async (_, i) => {
      while (!stop) {
        const url = i % 2 === 0 ? `${proxy.url}${BP}/box` : `${proxy.url}/rest/api/2/myself`
        statuses.push(await call(url).then((r) => r.status, () => 'cut'))
      }
    })
    await sim.control.stopNode(home)
    for (const status of await Promise.all(inFlight)) t.equal(status, 502, 'a request held on the dying node gets the balancer\'s answer')
    const before = statuses.length
    await until(() => statuses.length >= before + 40)
    stop = true
    await Promise.all(stream)
    // A request sent before the stop may still have been on its way to the dying node.
    t.same(statuses.slice(before + 4).filter((s) => s !== 200), [], 'every request after the failover answers 200')

    t.equal(sim.stats.calls.login, 2, 'one login, and one more after the failover')
    t.equal(await relogins(proxy), 1, 'the re-login is counted')
    const after = await nodeCounting(sim, 'myself', async () => {
      t.equal((await call(`${proxy.url}/rest/api/2/myself`)).status, 200)
    })
    t.not(after, home, 'the session lives on another node now')
    t.equal(sim.stats.identityMismatches, 0)
  })
}

import t from 'tap'
import { BP, call } from '../helpers/clients.js'
import { credentialKey } from '../../src/identity/hash.js'
import { PAT, clusterScene } from '../helpers/cluster.js'

const ROTATING = { mode: 'rotating' } as const

/**
 * Behind an AWS-style balancer whose cookie changes on every answer: the proxy's own sessions take
 * each new value into their jar (and stay on their node); a cookie caller gets each new value, and
 * however its cookies change, it stays one identity with one token pair.
 */
for (const nodes of [2, 3]) {
  t.test(`${nodes} nodes: AWSALB changes on every answer`, async (t) => {
    const { sim, proxy, callers } = await clusterScene(t, { nodes, affinity: ROTATING })
    for (const c of callers.filter((c) => c.kind !== 'cookie')) {
      const generations: number[] = []
      const key = c.kind === 'service' ? 'service' : c.kind === 'pat' ? credentialKey('pat', PAT) : credentialKey('basic', 'bob:bob-secret')
      const generation = (): number => proxy.store.peek(key)?.session?.generation ?? -1
      for (let i = 0; i < 10; i++) {
        t.equal((await call(`${proxy.url}${BP}/box`, { headers: c.headers })).status, 200, `${c.kind}: BigPicture ${i}`)
        t.equal((await call(`${proxy.url}/rest/api/2/myself`, { headers: c.headers })).status, 200, `${c.kind}: Jira ${i}`)
        generations.push(generation())
      }
      t.ok(generations.every((g, i) => i === 0 || g > (generations[i - 1] as number)), `${c.kind}: its jar took each new value`)
    }

    // A cookie caller follows its cookies as a browser would.
    const alice = callers.find((c) => c.kind === 'cookie')
    let cookie = alice?.headers.cookie as string
    const seen = new Set<string>()
    const identitiesBefore = proxy.store.size
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${proxy.url}${BP}/box`, { headers: { cookie } })
      await res.arrayBuffer()
      t.equal(res.status, 200, `cookie caller: request ${i}`)
      const awsalb = res.headers.getSetCookie().find((line) => line.startsWith('AWSALB='))?.split(';')[0]
      t.ok(awsalb !== undefined && !seen.has(awsalb), 'a new AWSALB value reaches the caller on every answer')
      seen.add(awsalb as string)
      cookie = cookie.split('; ').map((pair) => pair.startsWith('AWSALB=') ? awsalb as string : pair).join('; ')
    }
    t.equal(proxy.store.size, identitiesBefore + 1, 'the cookie caller is one identity, however its cookies change')
    t.equal(sim.stats.calls.auth, 4, 'one system/auth per identity')
    t.equal(sim.stats.sessionsCreated, 4, 'one session per identity')
  })
}


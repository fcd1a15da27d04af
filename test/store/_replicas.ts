import type { Test } from 'tap'
import type { AppOptions } from '../../src/app.js'
import { BP, basic, call } from '../helpers/clients.js'
import { type StartedProxy, startProxy } from '../helpers/proxy.js'
import { type RedisServer, startRedis } from '../helpers/redis.js'
import { startSimulator } from '../helpers/simulator.js'
import { SECRET } from './_stores.js'

/** `n` proxies in this process sharing one Redis, in front of one Jira, as a balancer sees them. */
export async function startReplicas (t: Test, n: number, jiraUrl: string, redis: RedisServer, env: Record<string, string> = {}, options: Partial<AppOptions> = {}): Promise<StartedProxy[]> {
  const replicas: StartedProxy[] = []
  for (let i = 0; i < n; i++) replicas.push(await startProxy(t, { JIRA_URL: jiraUrl, STORE_URL: redis.url, STORE_SECRET: SECRET, LOG_LEVEL: 'info', ...env }, options))
  return replicas
}

/** The replica a round-robin balancer sends request `i` to. */
export function roundRobin<T> (replicas: T[], i: number): T {
  return replicas[i % replicas.length] as T
}

export type Simulator = Awaited<ReturnType<typeof startSimulator>>

/**
 * Two replicas sharing a fresh Redis in front of a fresh Jira, each of which has served bob
 * (Basic) once, so each holds his session and tokens: the start of the stale-record cases.
 */
export async function twoReplicasServingBob (t: Test): Promise<{ sim: Simulator, a: string, b: string, headers: Record<string, string> }> {
  const sim = await startSimulator(t)
  const redis = await startRedis(t)
  const [a = '', b = ''] = (await startReplicas(t, 2, sim.url, redis)).map((r) => r.url)
  const headers = { authorization: basic('bob', 'bob-secret') }
  for (const url of [a, b]) t.equal((await call(`${url}${BP}/box`, { headers })).status, 200, 'each replica has served bob')
  return { sim, a, b, headers }
}

import type { Test } from 'tap'
import type { AppOptions } from '../../src/app.js'
import { type StartedProxy, startProxy } from '../helpers/proxy.js'
import type { RedisServer } from '../helpers/redis.js'
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

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Clock } from './clock.js'
import { cookieValues, sessionIdsFromCookie } from './cookies.js'
import type { AffinityOptions } from './types.js'

/** How a balancer keeps a client on its node: which node a request names, and what the answer sets. */
export interface AffinityPolicy {
  /** The node (from 1) the request's cookies pin it to, live or not; undefined when none. */
  pinnedNode (req: IncomingMessage): number | undefined
  /**
   * The Set-Cookie lines the balancer adds to an answer of `node`. `assigned`: the balancer chose
   * the node for this request (no valid pin); `nodeSetCookies`: the node's own Set-Cookie lines.
   */
  cookiesFor (node: number, assigned: boolean, nodeSetCookies: readonly string[]): string[]
}

export const DEFAULT_AFFINITY_COOKIE = 'INGRESSCOOKIE'
export const DEFAULT_ROTATING_COOKIE = 'AWSALB'
/** AWS's stickiness cookie lives 7 days. */
const ROTATING_LIFETIME_SECONDS = 7 * 24 * 3600

/** Tomcat's jvmRoute of node `node`, the suffix of its session ids. */
export const jvmRouteOf = (node: number): string => `node${node}`

/** `none`: a plain round-robin balancer; nothing pins a client. */
const noAffinity: AffinityPolicy = {
  pinnedNode: () => undefined,
  cookiesFor: () => []
}

/** `jvmRoute`: the node named by the first JSESSIONID that ends in `.node<N>`; no cookie of its own. */
const jvmRouteAffinity: AffinityPolicy = {
  pinnedNode: (req) => {
    for (const id of sessionIdsFromCookie(req.headers.cookie)) {
      const match = /\.node(\d+)$/.exec(id)
      if (match !== null) return Number(match[1])
    }
    return undefined
  },
  cookiesFor: () => []
}

/**
 * `cookie` (ingress-nginx `INGRESSCOOKIE`, `ROUTEID`, `SERVERID`, `BIGipServer…`): one opaque value
 * per node, set with `Path=/; HttpOnly` when the balancer assigns a node (or on every answer, or
 * only on answers that open a Jira session, as configured).
 */
function stickyCookie (name: string, nodeCount: number, setCookie: 'assign' | 'every' | 'session'): AffinityPolicy {
  const values = Array.from({ length: nodeCount }, () => randomBytes(16).toString('hex'))
  return {
    pinnedNode: (req) => {
      for (const value of cookieValues(req.headers.cookie, name)) {
        const index = values.indexOf(value)
        if (index !== -1) return index + 1
      }
      return undefined
    },
    cookiesFor: (node, assigned, nodeSetCookies) => {
      const wanted = setCookie === 'every' ||
        (setCookie === 'assign' && assigned) ||
        (setCookie === 'session' && nodeSetCookies.some((line) => line.startsWith('JSESSIONID=')))
      return wanted ? [`${name}=${values[node - 1] ?? ''}; Path=/; HttpOnly`] : []
    }
  }
}

/**
 * `rotating` (AWS `AWSALB`): every answer sets a new opaque value that routes to the same node;
 * earlier values keep routing too (AWS honours a value for its 7 days). A value is a random nonce
 * and a MAC over it and the node, so none has to be remembered.
 */
function rotatingCookie (name: string, nodeCount: number, clock: Clock): AffinityPolicy {
  const key = randomBytes(32)
  const mac = (nonce: Buffer, node: number): Buffer => createHmac('sha256', key).update(nonce).update(String(node)).digest().subarray(0, 16)
  return {
    pinnedNode: (req) => {
      for (const value of cookieValues(req.headers.cookie, name)) {
        const raw = Buffer.from(value, 'base64')
        if (raw.length !== 64) continue
        const nonce = raw.subarray(0, 48)
        const tag = raw.subarray(48)
        for (let node = 1; node <= nodeCount; node++) if (timingSafeEqual(mac(nonce, node), tag)) return node
      }
      return undefined
    },
    cookiesFor: (node) => {
      const nonce = randomBytes(48)
      const value = Buffer.concat([nonce, mac(nonce, node)]).toString('base64')
      const expires = new Date(clock.nowMs() + ROTATING_LIFETIME_SECONDS * 1000).toUTCString()
      return [`${name}=${value}; Expires=${expires}; Path=/`]
    }
  }
}

/** The policy for the configured affinity. */
export function createAffinity (options: AffinityOptions, nodeCount: number, clock: Clock): AffinityPolicy {
  switch (options.mode) {
    case 'none': return noAffinity
    case 'jvmRoute': return jvmRouteAffinity
    case 'rotating': return rotatingCookie(options.cookie ?? DEFAULT_ROTATING_COOKIE, nodeCount, clock)
    case 'cookie': return stickyCookie(options.cookie ?? DEFAULT_AFFINITY_COOKIE, nodeCount, options.setCookie ?? 'assign')
  }
}

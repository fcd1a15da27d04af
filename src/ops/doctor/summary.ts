import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseEnv } from 'node:util'
import type { Config } from '../../config.js'
import { isLoopbackHost } from '../../config.js'
import { egressFor } from './egress.js'

/** Tells where a variable came from: the environment, else the `.env` file, else nowhere. */
export type SourceLookup = (name: string) => string | undefined

/**
 * Where variables came from. Values of secrets are never read through it: it only tells a secret
 * given directly from one read from a `*_FILE`, and names the CA file.
 */
export function sourceLookup (env: Record<string, string | undefined> = {}, cwd?: string): SourceLookup {
  let dotenv: Record<string, string | undefined> = {}
  if (cwd !== undefined) {
    try {
      dotenv = parseEnv(readFileSync(join(cwd, '.env'), 'utf8'))
    } catch {
      dotenv = {}
    }
  }
  return (name) => {
    const value = env[name] ?? dotenv[name]
    return value === undefined || value === '' ? undefined : value
  }
}

/** How a secret was given, without its value. */
function secretSource (name: string, source: SourceLookup): string {
  const file = source(`${name}_FILE`)
  return file === undefined ? `set (${name})` : `from file ${file} (${name}_FILE)`
}

/** The configuration in plain words, one line each, no secret among them. */
export function configurationSummary (config: Config, source: SourceLookup): string[] {
  const lines: string[] = []
  lines.push(`Configuration is valid. Jira: ${config.jiraUrl} (${config.contextPath === '' ? 'no context path' : `context path ${config.contextPath}`})`)

  const loopback = isLoopbackHost(config.host)
  lines.push(`Listens on ${config.host}:${config.port}${loopback ? ' (this machine only)' : ' (reachable from the network)'}`)

  const service = config.service
  if (service === undefined) {
    lines.push('Service identity: none (callers bring their own Jira cookie, password or personal access token)')
  } else if (service.kind === 'password') {
    lines.push(`Service identity: Jira user "${service.username}", password ${secretSource('JIRA_PASSWORD', source)}`)
  } else {
    lines.push(`Service identity: personal access token ${secretSource('JIRA_PAT', source)}`)
  }
  if (config.proxyApiKeys.length > 0) {
    const n = config.proxyApiKeys.length
    lines.push(`Proxy API keys: ${n} key${n === 1 ? '' : 's'} ${secretSource('PROXY_API_KEYS', source)}; callers presenting one in X-Proxy-Key may use the service identity`)
  } else if (service !== undefined) {
    lines.push('Proxy API keys: none, so only callers on this machine may use the service identity')
  }

  lines.push(`BigPicture apps that get tokens: ${config.apps.join(', ')}`)

  if (config.jiraUrl.startsWith('https:')) {
    const caFile = source('JIRA_CA_FILE')
    if (config.tls.insecure) {
      lines.push('TLS: certificate checks are OFF (JIRA_TLS_INSECURE=true); outside a test, give the CA in JIRA_CA_FILE instead')
    } else if (config.tls.ca !== undefined) {
      lines.push(`TLS: Jira's certificate is checked against the CA in ${caFile ?? 'JIRA_CA_FILE'} (instead of the system's CAs)`)
    } else {
      lines.push("TLS: Jira's certificate is checked against the system's CAs")
    }
  } else {
    lines.push('Connection to Jira: plain HTTP, not encrypted')
  }

  const egress = egressFor(config)
  lines.push(`Egress: ${egress.description}`)
  return lines
}

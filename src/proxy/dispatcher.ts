import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici'
import type { Config } from '../config.js'

/** Connections kept per Jira origin: enough for a busy gateway, few enough not to flood Jira. */
const CONNECTIONS = 64

/**
 * The one HTTP client toward Jira, shared by the passthrough, the BigPicture route and the auth
 * client: keep-alive pooling, the operator's CA or `JIRA_TLS_INSECURE`, and the corporate egress
 * proxy (`HTTPS_PROXY`/`HTTP_PROXY` with `NO_PROXY`) through undici's own proxy agent.
 */
export function createJiraDispatcher (config: Pick<Config, 'tls' | 'egress' | 'upstreamTimeoutMs'>, connections = CONNECTIONS): Dispatcher {
  const connect = {
    ca: config.tls.ca,
    rejectUnauthorized: !config.tls.insecure,
    timeout: Math.min(config.upstreamTimeoutMs, 30_000)
  }
  const common = {
    connections,
    keepAliveTimeout: 30_000,
    headersTimeout: config.upstreamTimeoutMs,
    bodyTimeout: config.upstreamTimeoutMs
  }
  const { httpsProxy, httpProxy, noProxy } = config.egress
  if (httpsProxy !== undefined || httpProxy !== undefined) {
    return new EnvHttpProxyAgent({
      ...common,
      // An unset variable must mean "no proxy", not "look in process.env".
      httpProxy: httpProxy ?? '',
      httpsProxy: httpsProxy ?? '',
      noProxy: noProxy ?? '',
      connect,
      requestTls: connect
    })
  }
  return new Agent({ ...common, connect })
}

/**
 * The command line: which command the arguments ask for, and each command's help. Pure, so
 * `cli.ts` only acts on the answer.
 */

const NAME = 'bigpicture-auth-proxy'

/** What the arguments ask for. `error` is one line for stderr, and exit code 2. */
export type Command =
  | { kind: 'help', text: string }
  | { kind: 'version' }
  | { kind: 'serve' }
  | { kind: 'doctor' }
  | { kind: 'simulate', args: string[] }
  | { kind: 'error', message: string }

const COMMANDS = ['serve', 'doctor', 'simulate'] as const
type CommandName = typeof COMMANDS[number]

/**
 * The help texts. `settingsFile` is where config.example.env (every setting, its default and why)
 * lies next to the installed program.
 */
export function helpText (command: CommandName | undefined, settingsFile: string): string {
  const settings = `All settings, their defaults and why you would change them:\n  ${settingsFile}\n  (and the Configuration section of README.md)`
  switch (command) {
    case 'serve':
      return `Usage: ${NAME} [serve]

Starts the proxy. It takes no options: settings come from the environment, then from a .env file
in the working directory (the environment wins). It listens on 127.0.0.1:8080 unless HOST/PORT say
otherwise and logs JSON lines on stdout.

Signals:
  SIGTERM, SIGINT   stop accepting connections, let requests in flight finish for up to
                    SHUTDOWN_TIMEOUT_MS (25 s), then cut the rest and exit
  SIGHUP            clear login backoff and CAPTCHA holds, re-read the secrets given as files
                    (JIRA_PASSWORD_FILE, JIRA_PAT_FILE, PROXY_API_KEYS_FILE) and the TLS files

${settings}`
    case 'doctor':
      return `Usage: ${NAME} doctor

Checks the settings (the same environment and .env the proxy reads), the TLS certificate and key
if set, reaches Jira, tries the service identity's login once and system/auth for each app, and
says in plain words what works and what does not. No secret is printed. Exit code 0 when every
check passed, 1 when one failed, 2 when the settings are invalid.

${settings}`
    case 'simulate':
      return `Usage: ${NAME} simulate [options]

Runs the built-in simulator of Jira + BigPicture (sessions, Basic, PATs, CAPTCHA, JWTs) to try the
proxy without a real Jira: start it, then the proxy with JIRA_URL pointing at it.

Options:
  --port N               listen port (default 8090; 0 = any free port)
  --host H               listen address (default 127.0.0.1)
  --context-path /jira   Jira's context path (default none)
  --users a:pw,b:pw      the users and passwords it knows (default alice, bob and svc)
  --nodes N              a Data Center of N Jira nodes behind a load balancer (default: one Jira)
  --affinity MODE        the balancer's stickiness: cookie (default with several nodes),
                         rotating, jvmroute or none
  --affinity-cookie NAME the balancer's cookie (default INGRESSCOOKIE; AWSALB when rotating)
  --affinity-set WHEN    when the cookie is set (--affinity cookie): assign (default), every, session
  --help                 this text`
    default:
      return `${NAME}: talk to BigPicture, BigGantt and BigTemplate (8.3+) with a Jira cookie,
password or personal access token; the proxy gets, injects and refreshes the JWTs.

Usage:
  ${NAME} [serve]      start the proxy (settings from the environment, then .env)
  ${NAME} doctor       check the settings and Jira, and say what works
  ${NAME} simulate     run the built-in Jira + BigPicture simulator
  ${NAME} help COMMAND | COMMAND --help
                                   what a command does and takes
  ${NAME} --version

Main settings (environment variables):
  JIRA_URL          Jira base URL with its context path, e.g. https://jira.example.com/jira (required)
  HOST, PORT        where to listen (default 127.0.0.1:8080)
  JIRA_USERNAME + JIRA_PASSWORD(_FILE), or JIRA_PAT(_FILE)
                    a service identity for callers that bring no credentials
  PROXY_API_KEYS(_FILE)
                    keys that let non-local callers use the service identity (X-Proxy-Key)
  TLS_CERT_FILE + TLS_KEY_FILE
                    serve HTTPS (and TLS_CLIENT_CA_FILE to require client certificates)

${settings}

Point your scripts at http://127.0.0.1:8080 instead of Jira; nothing else changes.`
  }
}

function isHelp (arg: string): boolean {
  return arg === '--help' || arg === '-h'
}

/** Reads the arguments (without node and the script): a command, a help text, or one error line. */
export function parseCommand (argv: string[], settingsFile: string): Command {
  const [first, ...rest] = argv
  if (first === undefined) return { kind: 'serve' }
  if (isHelp(first)) return { kind: 'help', text: helpText(undefined, settingsFile) }
  if (first === '--version' || first === '-v') return { kind: 'version' }
  if (first === 'help') {
    const topic = rest[0]
    if (topic === undefined) return { kind: 'help', text: helpText(undefined, settingsFile) }
    if (!(COMMANDS as readonly string[]).includes(topic)) return { kind: 'error', message: `${NAME} help: unknown command "${topic}" (commands: ${COMMANDS.join(', ')})` }
    return { kind: 'help', text: helpText(topic as CommandName, settingsFile) }
  }
  if (first.startsWith('-')) return { kind: 'error', message: `${NAME}: unknown option "${first}" (see ${NAME} --help)` }
  if (!(COMMANDS as readonly string[]).includes(first)) return { kind: 'error', message: `${NAME}: unknown command "${first}" (commands: ${COMMANDS.join(', ')}; see ${NAME} --help)` }
  const command = first as CommandName
  if (rest.some(isHelp)) return { kind: 'help', text: helpText(command, settingsFile) }
  if (command === 'simulate') return { kind: 'simulate', args: rest }
  const extra = rest[0]
  if (extra !== undefined) {
    const what = extra.startsWith('-') ? `unknown option "${extra}"` : `unexpected argument "${extra}"`
    return { kind: 'error', message: `${NAME} ${command}: ${what}; it takes no options, settings come from the environment (see ${NAME} ${command} --help)` }
  }
  return { kind: command }
}

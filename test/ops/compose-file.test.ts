import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { ConfigError, isLoopbackHost, loadConfig } from '../../src/config.js'
import { parseSimulateArgs } from '../../src/simulator/index.js'
import { startSimulator } from '../helpers/simulator.js'
import { ROOT, type Yaml, imageEnv, parseExampleEnv, parseYaml, readRepoFile, schemaVariables } from './_static-files.js'

// docker-compose.yml, read as Compose reads it (anchors and merge keys resolved), without a Docker
// engine: every proxy service's configuration is run through the proxy's own loadConfig, the
// commands in its header work as written, and what the gateway's nginx points at exists.

const run = promisify(execFile)
const repoPath = (path: string): string => fileURLToPath(new URL(path, ROOT))

type Service = Record<string, Yaml>
const compose = parseYaml(readRepoFile('docker-compose.yml')) as Record<string, Yaml>
const services = compose.services as Record<string, Service>
const secrets = compose.secrets as Record<string, { file: string }>
const header = readRepoFile('docker-compose.yml').split('\n').filter((l) => l.startsWith('#')).map((l) => l.replace(/^#\s?/, '')).join('\n')
const runtimeEnv = imageEnv()
const schema = new Set(schemaVariables())
const example = new Set(parseExampleEnv(readRepoFile('config.example.env')).map((e) => e.name))
// The shared store's variables arrive with the store itself; until then their checks are todo.
const storeTodo = schema.has('STORE_URL') ? false : 'STORE_* variables are not in src/config.ts yet'
const todoFor = (name: string): { todo: string | false } => ({ todo: name.startsWith('STORE_') ? storeTodo : false })

const isProxy = (s: Service): boolean => s.image === 'bigpicture-auth-proxy:local' && !(Array.isArray(s.command) && s.command[0] === 'simulate')
const proxies = Object.entries(services).filter(([, s]) => isProxy(s))
const profilesOf = (s: Service): string[] => (s.profiles ?? []) as string[]

/** `${VAR}`, `${VAR:-default}` and `${VAR:?message}` as Compose resolves them with `given` set. */
function interpolate (value: string, given: Record<string, string> = {}): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_all, name: string, kind: string | undefined, rest: string | undefined) => {
    if (given[name] !== undefined && given[name] !== '') return given[name] as string
    if (kind === '-') return rest ?? ''
    throw new Error(`${name} must be set (${rest ?? 'required'})`)
  })
}

const SECRET_CONTENT: Record<string, string> = {
  proxy_api_keys: 'a-demo-key-of-enough-length-0123\n',
  store_secret: `${'5e'.repeat(32)}\n`,
  jira_pat: 'a-personal-access-token-0123456789\n',
  jira_password: 'svc-secret\n'
}

/** The environment a proxy service's container sees: the image's ENV, then the service's, secrets as temp files. */
function containerEnv (t: { teardown (fn: () => void): void }, service: Service, given: Record<string, string>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'compose-secrets-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env: Record<string, string> = { ...runtimeEnv }
  for (const [name, value] of Object.entries(service.environment as Record<string, string>)) {
    let resolved = interpolate(String(value), given)
    const secret = /^\/run\/secrets\/([\w.-]+)$/.exec(resolved)
    if (secret !== null) {
      const file = join(dir, secret[1] as string)
      writeFileSync(file, SECRET_CONTENT[secret[1] as string] ?? 'x')
      resolved = file
    }
    env[name] = resolved
  }
  return env
}

t.test('profiles: password, pat, gateway and demo, each a whole shape', async (t) => {
  const profiles = new Set(Object.values(services).flatMap(profilesOf))
  t.same([...profiles].sort(), ['demo', 'gateway', 'password', 'pat'])
  for (const [name, service] of Object.entries(services)) t.ok(profilesOf(service).length > 0, `${name} runs only in a profile (.env's COMPOSE_PROFILES picks the shape)`)
  const published = (profile: string): string[] => Object.entries(services).filter(([, s]) => profilesOf(s).includes(profile) && s.ports !== undefined).map(([n]) => n)
  for (const profile of ['password', 'pat', 'gateway']) t.equal(published(profile).length, 1, `${profile}: one published entry point`)
  t.same(published('demo'), [], 'demo only adds the simulator')
})

t.test('every proxy service: the image, 30 s to drain, read-only, no capabilities, variables the proxy knows, secrets only by file', async (t) => {
  t.ok(proxies.length >= 3)
  for (const [name, service] of proxies) {
    t.equal(service.build, '.', `${name}: built from this Dockerfile`)
    t.equal(service.stop_grace_period, '30s', `${name}: stop_grace_period 30s`)
    t.equal(service.read_only, true, `${name}: read-only root file system`)
    t.same(service.cap_drop, ['ALL'], `${name}: no capabilities`)
    const env = service.environment as Record<string, string>
    for (const variable of Object.keys(env)) {
      t.ok(schema.has(variable), `${name}: ${variable} is a variable src/config.ts knows`, todoFor(variable))
      t.ok(example.has(variable), `${name}: ${variable} is listed in config.example.env`, todoFor(variable))
      t.notMatch(variable, /^(JIRA_PASSWORD|JIRA_PAT|PROXY_API_KEYS|STORE_SECRET)$/, `${name}: ${variable}: secrets only through *_FILE`)
    }
    for (const [variable, value] of Object.entries(env)) {
      if (!variable.endsWith('_FILE')) continue
      const secret = /^\/run\/secrets\/([\w.-]+)$/.exec(String(value))
      t.ok(secret, `${name}: ${variable} points into /run/secrets`)
      const secretName = secret?.[1] as string
      t.ok((service.secrets as string[]).includes(secretName), `${name}: mounts the secret ${secretName}`)
      t.match(secrets[secretName]?.file, /^\.\/secrets\//, `${secretName}: a file under ./secrets, which .dockerignore keeps out of images`)
    }
    for (const mapping of (service.ports ?? []) as string[]) {
      const parts = interpolate(mapping).split(':')
      t.equal(parts.at(-1), runtimeEnv.PORT, `${name}: ${mapping}: the container port is the image's PORT`)
      t.equal(parts.length, 3, `${name}: ${mapping}: published on an explicit host address`)
      t.ok(isLoopbackHost(parts[0] as string), `${name}: ${mapping}: published on this machine's loopback unless told otherwise`)
    }
  }
  const shutdownDefault = /SHUTDOWN_TIMEOUT_MS: \{[^}]*default: (\d+)/.exec(readRepoFile('src/config.ts'))?.[1]
  t.ok(Number(shutdownDefault) < 30_000, `the proxy's own shutdown limit (${shutdownDefault} ms) ends inside the 30 s`, { todo: shutdownDefault === undefined ? 'SHUTDOWN_TIMEOUT_MS is not in src/config.ts yet' : false })
})

t.test('the header\'s commands work as written: .env holds every variable up and run need', async (t) => {
  const dotenv = /^\s*printf '%s\\n' (.*) > \.env$/m.exec(header)
  t.ok(dotenv, 'the sidecar commands write .env')
  const given = Object.fromEntries((dotenv?.[1] ?? '').split(/\s+/).map((pair) => pair.split('=') as [string, string]))
  t.equal(given.COMPOSE_PROFILES, 'password')
  const up = header.indexOf('docker compose up -d')
  const runLine = /^\s*docker compose run --rm ([\w-]+) doctor$/m.exec(header.slice(up))
  t.ok(up > header.indexOf('> .env') && runLine, 'docker compose up, then doctor, after .env is written')
  const service = services[runLine?.[1] as string] as Service
  t.ok(profilesOf(service).includes(given.COMPOSE_PROFILES as string), `${runLine?.[1]} is in the profile .env selects`)
  // Both commands read .env, so the variables resolve the same way for each; without it they fail.
  const config = loadConfig(containerEnv(t, service, given), { cwd: '/nonexistent' })
  t.equal(config.jiraUrl, given.JIRA_URL)
  t.same(config.service, { kind: 'password', username: given.JIRA_USERNAME, password: 'svc-secret' })
  t.throws(() => containerEnv(t, service, { JIRA_URL: given.JIRA_URL as string }), /JIRA_USERNAME must be set/, 'without JIRA_USERNAME Compose stops instead of guessing an account')
  for (const secret of ((service.secrets ?? []) as string[])) t.match(header, new RegExp(`> ${secrets[secret]?.file.replace(/^\.\//, '')}\\b`), `the commands create ${secret}'s file`)
  t.match(header, /chmod 640 secrets\/\* && sudo chgrp 1000 secrets\/\*/, 'secret files readable by the image\'s node group, not by everyone')
})

t.test('each shape\'s configuration is one the proxy accepts', async (t) => {
  const byProfile = (profile: string): Service => (proxies.find(([, s]) => profilesOf(s).includes(profile)) as [string, Service])[1]
  const password = loadConfig(containerEnv(t, byProfile('password'), { JIRA_USERNAME: 'svc' }), { cwd: '/nonexistent' })
  t.equal(password.host, '0.0.0.0')
  t.equal(password.service?.kind, 'password')
  t.equal(password.proxyApiKeys.length, 1)
  const withoutKeys = containerEnv(t, byProfile('password'), { JIRA_USERNAME: 'svc' })
  delete withoutKeys.PROXY_API_KEYS_FILE
  t.throws(() => loadConfig(withoutKeys, { cwd: '/nonexistent' }), ConfigError, 'the keys are what makes a service identity on 0.0.0.0 acceptable')

  const pat = loadConfig(containerEnv(t, byProfile('pat'), {}), { cwd: '/nonexistent' })
  t.same(pat.service, { kind: 'pat', token: SECRET_CONTENT.jira_pat?.trim() }, 'pat: the service identity is the PAT')
  t.equal(pat.proxyApiKeys.length, 1)

  const gatewayEnv = containerEnv(t, byProfile('gateway'), { GATEWAY_HOSTS: 'bp-gateway.example.com' })
  const gateway = loadConfig(gatewayEnv, { cwd: '/nonexistent' })
  t.equal(gateway.service, undefined, 'gateway: no service identity, callers bring their own credentials')
  t.same(gateway.allowedHosts, ['bp-gateway.example.com'], 'the names callers use come from GATEWAY_HOSTS')
  const store = (gateway as unknown as { store?: { url: string } }).store
  t.ok(store, 'gateway: the replicas share a store', { todo: storeTodo })

  const custom = loadConfig(containerEnv(t, byProfile('password'), { JIRA_URL: 'https://jira.example.com/jira', JIRA_USERNAME: 'svc-bp' }), { cwd: '/nonexistent' })
  t.equal(custom.jiraUrl, 'https://jira.example.com/jira', 'JIRA_URL from .env or the environment')
})

t.test('gateway: two replicas behind one nginx port, sharing Valkey', async (t) => {
  const gatewayServices = Object.entries(services).filter(([, s]) => profilesOf(s).includes('gateway'))
  const replicas = gatewayServices.find(([, s]) => isProxy(s)) as [string, Service]
  t.ok(replicas, 'a proxy service in the gateway profile')
  t.ok(Number((replicas[1].deploy as Record<string, Yaml>).replicas) >= 2, 'at least two replicas')
  t.notOk(replicas[1].ports, 'the replicas are not published themselves')

  const env = replicas[1].environment as Record<string, string>
  const storeUrl = new URL(env.STORE_URL as string)
  const store = services[storeUrl.hostname] as Service
  t.ok(store, `STORE_URL names the service ${storeUrl.hostname}`)
  t.match(store.image, /^(valkey\/valkey:8(\.\d+)*-alpine|redis:7(\.\d+)*-alpine)$/, 'Valkey 8 or Redis 7')
  t.same(profilesOf(store), ['gateway'])
  t.equal(storeUrl.protocol, 'redis:')
  t.equal(storeUrl.port, '6379')
  t.notOk(store.ports, 'the store is on the project network only')
  t.equal((replicas[1].depends_on as Record<string, Record<string, string>>)[storeUrl.hostname]?.condition, 'service_healthy', 'replicas start once the store answers')

  const front = gatewayServices.find(([, s]) => String(s.image).startsWith('nginx:')) as [string, Service]
  t.ok(front, 'nginx in front')
  const mount = ((front[1].volumes ?? []) as string[]).find((v) => v.endsWith(':/etc/nginx/nginx.conf:ro')) as string
  t.ok(mount, 'its configuration is mounted read-only')
  const confPath = mount.split(':')[0] as string
  t.ok(existsSync(repoPath(confPath)), `${confPath} exists`)
  const conf = readRepoFile(confPath)
  t.match(conf, new RegExp(`server ${replicas[0]}:${runtimeEnv.PORT} resolve;`), 'nginx resolves the replicas\' service name, every address it has')
  const listen = /listen (\d+);/.exec(conf)?.[1]
  const published = interpolate((front[1].ports as string[])[0] as string).split(':')
  t.equal(published.at(-1), listen, 'the published port is the one nginx listens on')
  t.ok(isLoopbackHost(published[0] as string), 'on loopback unless GATEWAY_BIND says otherwise')
  t.match(conf, /client_max_body_size 0;/, 'no body size limit of its own')
  t.match(conf, /proxy_request_buffering off;/, 'uploads stream')
  t.match(conf, /proxy_buffering off;/, 'downloads stream')
  t.match(conf, /proxy_set_header Host \$http_host;/, 'the caller\'s Host reaches ALLOWED_HOSTS')
  t.ok(Number(/proxy_read_timeout (\d+)s;/.exec(conf)?.[1]) * 1000 > loadConfig({ JIRA_URL: 'http://jira' }, { cwd: '/nonexistent' }).upstreamTimeoutMs, 'nginx waits longer than the proxy waits for Jira')
  t.notMatch(conf, /proxy_next_upstream[^;]*(timeout|http_)/, 'nginx never repeats a request Jira may have seen')
})

t.test('demo: the simulator, and the proxy\'s default JIRA_URL points at it', async (t) => {
  const [name, simulator] = Object.entries(services).find(([, s]) => Array.isArray(s.command) && s.command[0] === 'simulate') as [string, Service]
  t.same(simulator.profiles, ['demo'], 'only in the demo profile')
  t.equal(simulator.build, '.', 'the same image')
  const args = parseSimulateArgs(simulator.command as string[])
  t.equal(args.host, '0.0.0.0', 'the simulator listens for other containers')
  for (const [proxyName, service] of proxies) {
    const demoUrl = new URL(interpolate(String((service.environment as Record<string, string>).JIRA_URL)))
    t.equal(demoUrl.hostname, name, `${proxyName}: the default JIRA_URL is the simulator service`)
    t.equal(Number(demoUrl.port), args.port, 'on the simulator\'s port')
    t.equal(demoUrl.pathname, args.contextPath, 'with its context path')
  }

  // The simulator's own health check, run against a real simulator (its port substituted).
  const test = (simulator.healthcheck as Record<string, Yaml>).test as string[]
  t.same(test.slice(0, 2), ['CMD', 'node'])
  const sim = await startSimulator(t, { contextPath: args.contextPath })
  const script = test.slice(2).map((part) => part.replace(`:${args.port}/`, `:${sim.port}/`))
  t.not(script.join(' '), test.slice(2).join(' '), 'the port was found in the check')
  await t.resolves(run('node', script, { timeout: 10_000 }), 'healthy against a running simulator')
  await sim.close()
  await t.rejects(run('node', script, { timeout: 10_000 }), 'unhealthy when it is down')
})

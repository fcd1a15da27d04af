import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { sleep } from '../helpers/clients.js'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'
import { imageEnv, parseExampleEnv, parseYamlDocuments, readRepoFile, schemaVariables } from './_static-files.js'

// deploy/kubernetes/, parsed as Kubernetes reads it, and checked against what it points at: the
// selectors and ports agree, every variable is one the proxy knows, the pod's whole configuration
// (ConfigMap, env and the Secret's files) is accepted by the proxy, and the probe and scrape paths
// are served by a running proxy.

type Obj = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const DIR = 'deploy/kubernetes/'
const files = readdirSync(new URL(`../../${DIR}`, import.meta.url)).filter((f) => f.endsWith('.yaml'))
const docs = new Map<string, Obj[]>(files.map((f) => [f, parseYamlDocuments(readRepoFile(DIR + f)) as Obj[]]))
const all = [...docs.values()].flat()
const find = (kind: string, name: string): Obj => {
  const found = all.find((d) => d.kind === kind && d.metadata?.name === name)
  if (found === undefined) throw new Error(`no ${kind} ${name}`)
  return found
}
const NAME = 'bigpicture-auth-proxy'
const deployment = find('Deployment', NAME)
const pod = deployment.spec.template.spec as Obj
const container = (pod.containers as Obj[])[0] as Obj
const configMap = find('ConfigMap', NAME)
const secret = find('Secret', NAME)
const schema = new Set(schemaVariables())
const example = new Set(parseExampleEnv(readRepoFile('config.example.env')).map((e) => e.name))
const storeTodo = schema.has('STORE_URL') ? false : 'STORE_* variables are not in src/config.ts yet'
const todoFor = (name: string): { todo: string | false } => ({ todo: name.startsWith('STORE_') ? storeTodo : false })
const labelsMatch = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v)
const portNamed = (c: Obj, port: string | number): number | undefined =>
  typeof port === 'number' ? port : (c.ports as Obj[]).find((p) => p.name === port)?.containerPort

t.test('kustomization lists every manifest but the Secret example', async (t) => {
  const kustomization = (docs.get('kustomization.yaml') as Obj[])[0] as Obj
  t.same([...kustomization.resources].sort(), files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml').sort())
  for (const doc of all) t.ok(doc.apiVersion && doc.kind, `${doc.kind} ${doc.metadata?.name ?? ''}: apiVersion and kind`)
})

t.test('Deployment: two replicas, selectors, ports, PodDisruptionBudget and Service agree', async (t) => {
  t.equal(deployment.spec.replicas, 2)
  const labels = deployment.spec.template.metadata.labels as Record<string, string>
  t.ok(labelsMatch(deployment.spec.selector.matchLabels, labels), 'the Deployment selects its pods')
  t.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0, 'a rollout never drops below two ready replicas')
  t.equal(portNamed(container, 'http'), Number(imageEnv().PORT), 'the container port is the image\'s PORT')

  const service = find('Service', NAME)
  t.ok(labelsMatch(service.spec.selector, labels), 'the Service selects the pods')
  t.equal(portNamed(container, service.spec.ports[0].targetPort), Number(imageEnv().PORT), 'the Service targets that port')

  const pdb = find('PodDisruptionBudget', NAME)
  t.ok(labelsMatch(pdb.spec.selector.matchLabels, labels), 'the budget covers the pods')
  t.ok(pdb.spec.minAvailable >= 1 && pdb.spec.minAvailable < deployment.spec.replicas, 'one may go, one stays')
  t.equal(container.image, `${NAME}:${(JSON.parse(readRepoFile('package.json')) as { version: string }).version}`, 'the image of this version')
})

t.test('the pod is locked down: non-root, read-only root, no capabilities, 30 s to drain, resources', async (t) => {
  t.equal(pod.terminationGracePeriodSeconds, 30)
  t.equal(pod.securityContext.runAsNonRoot, true)
  t.equal(pod.securityContext.runAsUser, 1000, 'the image\'s node user')
  t.equal(pod.automountServiceAccountToken, false, 'no Kubernetes API token in the pod')
  t.same(container.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
  t.ok(container.resources.requests.cpu && container.resources.requests.memory, 'requests')
  t.ok(container.resources.limits.memory, 'a memory limit')
  const volume = (pod.volumes as Obj[]).find((v) => v.secret?.secretName === NAME) as Obj
  t.equal(volume.secret.defaultMode, 0o440, 'secret files readable by owner and group (fsGroup 1000), no one else')
  t.equal(pod.securityContext.fsGroup, 1000)
})

t.test('every variable is one the proxy knows, and every file it names is a key of the Secret', async (t) => {
  const env = container.env as Array<{ name: string, value?: string }>
  for (const name of [...Object.keys(configMap.data), ...env.map((e) => e.name)]) {
    t.ok(schema.has(name), `${name} is a variable src/config.ts knows`, todoFor(name))
    t.ok(example.has(name), `${name} is listed in config.example.env`, todoFor(name))
    t.notMatch(name, /^(JIRA_PASSWORD|JIRA_PAT|PROXY_API_KEYS|STORE_SECRET|STORE_URL)$/, `${name}: secrets only through *_FILE`)
  }
  t.same((container.envFrom as Obj[]).map((e) => e.configMapRef.name), [NAME])
  const mount = (container.volumeMounts as Obj[]).find((m) => (pod.volumes as Obj[]).find((v) => v.name === m.name)?.secret?.secretName === NAME) as Obj
  t.equal(mount.readOnly, true)
  for (const { name, value } of env.filter((e) => e.name.endsWith('_FILE'))) {
    t.equal(value?.slice(0, mount.mountPath.length + 1), `${mount.mountPath}/`, `${name} is in the mounted Secret`)
    t.ok(value?.slice(mount.mountPath.length + 1) as string in secret.stringData, `${name}: the Secret example has the key`)
  }
  const needed = ['JIRA_PASSWORD_FILE', 'PROXY_API_KEYS_FILE', 'STORE_URL_FILE', 'STORE_SECRET_FILE']
  t.same(needed.filter((n) => !env.some((e) => e.name === n)), [], 'password, API keys, store URL and store secret all come from the Secret')
})

t.test('the pod\'s configuration is one the proxy accepts, with the store on the Valkey Service', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-secret-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const mount = (container.volumeMounts as Obj[])[0] as Obj
  for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) writeFileSync(join(dir, key), value)
  const env: Record<string, string> = { ...imageEnv(), ...configMap.data }
  for (const { name, value } of container.env as Array<{ name: string, value: string }>) env[name] = value.replace(mount.mountPath, dir)
  const config = loadConfig(env, { cwd: '/nonexistent' })
  t.equal(config.host, '0.0.0.0')
  t.equal(config.service?.kind, 'password')
  t.equal(config.proxyApiKeys.length, 1, 'the API keys that make a service identity on 0.0.0.0 acceptable')

  const storeUrl = new URL(secret.stringData['store-url'])
  const valkey = find('Service', storeUrl.hostname)
  t.equal(valkey.spec.ports[0].port, Number(storeUrl.port), 'store-url names the Valkey Service and its port')
  const valkeyDeployment = all.find((d) => d.kind === 'Deployment' && labelsMatch(valkey.spec.selector, d.spec.template.metadata.labels)) as Obj
  t.ok(valkeyDeployment, 'a Deployment behind that Service')
  t.match(valkeyDeployment.spec.template.spec.containers[0].image, /^(valkey\/valkey:8|redis:7)/)
  const store = (config as unknown as { store?: unknown }).store
  t.ok(store, 'the proxy reads STORE_URL_FILE and STORE_SECRET_FILE', { todo: storeTodo })
})

t.test('the probe and scrape paths are served, whatever Host the kubelet sends', async (t) => {
  const sim = await startSimulator(t)
  const env: Record<string, string> = { JIRA_URL: sim.url, ALLOWED_HOSTS: configMap.data.ALLOWED_HOSTS }
  const proxy = await startProxy(t, env)
  const annotations = deployment.spec.template.metadata.annotations as Record<string, string>
  const checks: Array<[string, string]> = [
    ['liveness', container.livenessProbe.httpGet.path],
    ['readiness', container.readinessProbe.httpGet.path],
    ['scrape', annotations['prometheus.io/path'] as string]
  ]
  t.equal(Number(annotations['prometheus.io/port']), portNamed(container, 'http'), 'scraped on the container port')
  t.equal(container.livenessProbe.httpGet.path, '/_proxy/healthz')
  t.equal(container.readinessProbe.httpGet.path, '/_proxy/readyz')
  for (const [probe, path] of checks) {
    for (const port of [container.livenessProbe.httpGet.port, container.readinessProbe.httpGet.port]) t.ok(portNamed(container, port), `${probe}: port ${port} exists`)
    // The kubelet and Prometheus send the pod's IP as Host.
    const res = await fetch(`${proxy.url}${path}`, { headers: { host: '10.244.1.17:8080' } })
    t.equal(res.status, 200, `${probe}: ${path} answers 200`)
    await res.arrayBuffer()
  }
  await sim.close()
  // The readiness answer is cached for 2 s: ask until it has expired.
  let status = 200
  for (let i = 0; i < 100 && status === 200; i++) {
    await sleep(100)
    const res = await fetch(`${proxy.url}${container.readinessProbe.httpGet.path}`)
    status = res.status
    await res.arrayBuffer()
  }
  t.equal(status, 503, 'readiness fails when Jira does not answer (liveness does not)')
  t.equal((await fetch(`${proxy.url}${container.livenessProbe.httpGet.path}`)).status, 200)
})

t.test('Valkey example: locked down like the proxy', async (t) => {
  const valkey = find('Deployment', 'valkey')
  const spec = valkey.spec.template.spec as Obj
  t.equal(spec.securityContext.runAsNonRoot, true)
  t.same(spec.containers[0].securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
  t.ok(spec.containers[0].resources.limits.memory)
})

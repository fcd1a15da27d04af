import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { startProxy } from '../helpers/proxy.js'
import { startSimulator } from '../helpers/simulator.js'
import {
  type DockerInstruction, ROOT, imageEnv, parseDockerfile, parseEnvArgs, parseExampleEnv, readRepoFile, schemaVariables
} from './_static-files.js'

// No Docker engine on the machines that run these tests: the Dockerfile is read as text, and
// everything it points at (files, scripts, the entry point, variables, the health check) is
// checked against the repository and the code. docker-compose.yml: compose-file.test.ts.

const run = promisify(execFile)
const repoPath = (path: string): string => fileURLToPath(new URL(path, ROOT))

const dockerfile = parseDockerfile(readRepoFile('Dockerfile'))
const pkg = JSON.parse(readRepoFile('package.json')) as { name: string, version: string, license: string, engines: { node: string }, scripts: Record<string, string>, bin: Record<string, string> }
const tsconfigBuild = JSON.parse(readRepoFile('tsconfig.build.json')) as { include?: string[], compilerOptions?: { outDir?: string, rootDir?: string } }
const tsconfig = JSON.parse(readRepoFile('tsconfig.json')) as { compilerOptions: { outDir: string, rootDir: string } }
const schema = new Set(schemaVariables())
const example = new Set(parseExampleEnv(readRepoFile('config.example.env')).map((e) => e.name))
const cliSource = readRepoFile('src/cli.ts')

const stages = Math.max(...dockerfile.map((d) => d.stage)) + 1
const buildStageName = (dockerfile.find((d) => d.instruction === 'FROM') as DockerInstruction).args.split(/\s+as\s+/i)[1]
const finalStage = stages - 1
const inStage = (stage: number, instruction: string): DockerInstruction[] => dockerfile.filter((d) => d.stage === stage && d.instruction === instruction)
const execForm = (args: string): string[] => {
  const list = JSON.parse(args) as unknown
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new Error(`not an exec-form list: ${args}`)
  return list as string[]
}
const runtimeEnv = imageEnv()

t.test('the Dockerfile builds in one stage and runs in a small one', async (t) => {
  t.ok(stages >= 2, 'multi-stage')
  const froms = dockerfile.filter((d) => d.instruction === 'FROM')
  const images = froms.map((from) => (from.args.split(/\s+/)[0] as string))
  for (const image of images) t.match(image, /^node:24\.\d+\.\d+-(alpine|bookworm-slim)$/, `${image}: Node 24 LTS, pinned to an exact version, slim or alpine`)
  t.equal(new Set(images).size, 1, 'every stage on the same Node')
  const buildStage = (froms[0] as DockerInstruction).args.split(/\s+as\s+/i)[1]
  t.ok(buildStage, 'the build stage has a name')

  const buildRuns = inStage(0, 'RUN').map((d) => d.args).join('\n')
  t.match(buildRuns, /\bnpm ci\b/, 'dependencies from the lockfile')
  const scripts = [...buildRuns.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1] as string)
  t.ok(scripts.includes('build'), 'compiles with npm run build')
  for (const script of scripts) t.ok(pkg.scripts[script], `package.json has the script "${script}"`)

  const runtimeRuns = inStage(finalStage, 'RUN').map((d) => d.args).join('\n')
  const commands = runtimeRuns.split(/&&|;|\n/).map((c) => c.trim().split(/\s+/)[0])
  for (const manager of ['npm', 'npx', 'corepack', 'yarn']) t.notOk(commands.includes(manager), `${manager} never runs in the runtime image`)
  t.notMatch(runtimeRuns, /\btsc\b/, 'nothing is compiled in the runtime image')
  for (const path of ['/usr/local/lib/node_modules/npm', '/usr/local/lib/node_modules/corepack', '/usr/local/bin/npm', '/usr/local/bin/npx', '/usr/local/bin/corepack']) {
    t.ok(runtimeRuns.split(/\s+/).includes(path) && /\brm -rf\b/.test(runtimeRuns), `the runtime image removes ${path}`)
  }

  // The production dependencies come from a stage that installed them from the lockfile alone.
  const modules = inStage(finalStage, 'COPY').find((d) => / \.\/node_modules$/.test(d.args))
  const from = /--from=(\S+)/.exec(modules?.args ?? '')?.[1]
  t.ok(from, 'node_modules is copied from another stage')
  const depsStage = froms.findIndex((d) => d.args.split(/\s+as\s+/i)[1] === from)
  t.ok(depsStage >= 0 && depsStage !== finalStage, `the stage ${from} exists`)
  t.match(inStage(depsStage, 'RUN').map((d) => d.args).join('\n'), /\bnpm ci\b[^\n]*--omit=dev/, 'production dependencies only')
  t.match(modules?.args, new RegExp(`^--from=${from} ${inStage(depsStage, 'WORKDIR').at(-1)?.args}/node_modules `), 'copied from where they were installed')
})

t.test('the image\'s Node satisfies package.json engines, and engines admits Node 20 and 24', async (t) => {
  const image = (dockerfile.find((d) => d.instruction === 'FROM') as DockerInstruction).args.split(/\s+/)[0] as string
  const nodeVersion = /^node:(\d+\.\d+\.\d+)/.exec(image)?.[1] as string
  const engines = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines.node)?.[1]
  t.ok(engines, `engines.node is a lower bound (${pkg.engines.node})`)
  const atLeast = (v: string, min: string): boolean => {
    const [a, b] = [v, min].map((x) => x.split('.').map(Number)) as [number[], number[]]
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] as number) > (b[i] as number)
    return true
  }
  t.ok(atLeast(nodeVersion, engines as string), `Node ${nodeVersion} in the image satisfies >=${engines}`)
  t.ok(atLeast(process.versions.node, engines as string), `the Node running these tests (${process.versions.node}) satisfies it too`)
  t.equal(engines?.split('.')[0], '20', 'Node 20 stays supported (the tests run on 20 and 24)')
})

t.test('the runtime image carries the OCI labels, with the package\'s version and license', async (t) => {
  const labels: Record<string, string> = Object.assign({}, ...inStage(finalStage, 'LABEL').map((d) => parseEnvArgs(d.args)))
  const args: Record<string, string> = Object.assign({}, ...inStage(finalStage, 'ARG').map((d) => parseEnvArgs(d.args)))
  const resolve = (value: string | undefined): string | undefined => value?.replace(/\$\{(\w+)\}/g, (_all, name: string) => args[name] ?? '')
  t.equal(labels['org.opencontainers.image.title'], pkg.name)
  t.ok((labels['org.opencontainers.image.description'] ?? '').length > 20, 'a description')
  t.equal(resolve(labels['org.opencontainers.image.version']), pkg.version, 'the version label defaults to package.json\'s')
  t.equal(labels['org.opencontainers.image.licenses'], pkg.license)
  const runtimeFrom = (dockerfile.filter((d) => d.instruction === 'FROM').at(-1) as DockerInstruction).args.split(/\s+/)[0]
  t.equal(labels['org.opencontainers.image.base.name'], `docker.io/library/${runtimeFrom}`, 'the base image it was built on')
})

t.test('every file the Dockerfile copies exists and is not excluded by .dockerignore', async (t) => {
  const ignore = readRepoFile('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('!'))
  const globToRegExp = (glob: string): RegExp => new RegExp(`^${glob.replace(/\/$/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}(/|$)`)
  const ignored = (path: string): string | undefined => ignore.find((glob) => globToRegExp(glob).test(path.replace(/^\.\//, '')))

  const copies = dockerfile.filter((d) => d.instruction === 'COPY' || d.instruction === 'ADD')
  t.ok(copies.length > 0)
  for (const copy of copies) {
    const parts = copy.args.split(/\s+/)
    const fromStage = parts.find((p) => p.startsWith('--from='))
    const paths = parts.filter((p) => !p.startsWith('--'))
    const sources = paths.slice(0, -1)
    if (fromStage !== undefined) continue
    for (const source of sources) {
      t.ok(existsSync(repoPath(source)), `${source} exists (line ${copy.line})`)
      t.equal(ignored(source), undefined, `${source} is not excluded by .dockerignore`)
    }
  }
  for (const mustStayOut of ['.env', 'secrets/jira_password', 'node_modules', 'dist', '.git']) {
    t.ok(ignored(mustStayOut), `${mustStayOut} never enters the build context`)
  }
})

t.test('the runtime image holds the compiled entry point that src/cli.ts becomes', async (t) => {
  const outDir = tsconfigBuild.compilerOptions?.outDir ?? tsconfig.compilerOptions.outDir
  const rootDir = tsconfigBuild.compilerOptions?.rootDir ?? tsconfig.compilerOptions.rootDir
  t.equal(rootDir, '.', 'sources keep their folder under the output directory')
  t.ok((tsconfigBuild.include ?? []).includes('src'), 'the build compiles src/')
  const compiledSrc = `${outDir}/src`

  const fromBuild = inStage(finalStage, 'COPY').find((d) => d.args.startsWith(`--from=${buildStageName} `))
  t.ok(fromBuild, 'the runtime stage copies the build output')
  const workdir = inStage(0, 'WORKDIR').at(-1)?.args
  t.equal(fromBuild?.args.split(/\s+/).filter((p) => !p.startsWith('--'))[0], `${workdir}/${compiledSrc}`, `copies ${compiledSrc} from where the build wrote it`)

  const entry = [...execForm(inStage(finalStage, 'ENTRYPOINT').at(-1)?.args ?? '[]'), ...(inStage(finalStage, 'CMD').length > 0 ? execForm(inStage(finalStage, 'CMD').at(-1)?.args as string) : [])]
  t.equal(entry[0], 'node')
  const script = entry[1] as string
  t.equal(script, `${compiledSrc}/cli.js`, 'the image runs the compiled CLI')
  t.ok(existsSync(repoPath(script.replace(new RegExp(`^${outDir}/`), '').replace(/\.js$/, '.ts'))), 'built from src/cli.ts')
  t.ok(Object.values(pkg.bin).includes(script), 'the same file as package.json bin')
  t.equal(pkg.scripts.start, `node ${script}`, 'and as npm start')
  if (existsSync(repoPath(outDir))) t.ok(existsSync(repoPath(script)), `${script} exists after npm run build`)
  t.match(cliSource, /case 'doctor':/, 'the CLI has the doctor command the comments show')
})

t.test('the runtime image runs as a non-root user, listens on all interfaces and exposes its port', async (t) => {
  const users = inStage(finalStage, 'USER')
  t.ok(users.length > 0, 'USER is set in the runtime stage')
  const user = users.at(-1)?.args.split(':')[0] ?? ''
  t.notOk(['root', '0', ''].includes(user), `runs as ${user}`)
  const lastUser = (users.at(-1) as DockerInstruction).line
  t.notOk(inStage(finalStage, 'RUN').some((d) => d.line > lastUser), 'no RUN after switching user (nothing installed as that user)')

  t.equal(runtimeEnv.HOST, '0.0.0.0', 'HOST=0.0.0.0 inside the container')
  const expose = inStage(finalStage, 'EXPOSE').map((d) => d.args.split('/')[0])
  t.same(expose, [runtimeEnv.PORT ?? '8080'], 'EXPOSE matches PORT')
  for (const name of Object.keys(runtimeEnv)) {
    if (name === 'NODE_ENV') continue
    t.ok(schema.has(name), `${name} is a variable src/config.ts knows`)
    t.ok(example.has(name), `${name} is listed in config.example.env`)
  }
  for (const d of dockerfile.filter((x) => x.instruction === 'ENV' || x.instruction === 'ARG')) {
    t.notMatch(d.args, /(PASSWORD|PAT|API_KEYS)(?!_FILE)=/, `line ${d.line}: no secret baked into the image`)
  }
})

t.test('the HEALTHCHECK asks /_proxy/healthz with node and works against the real app', async (t) => {
  const healthcheck = dockerfile.find((d) => d.instruction === 'HEALTHCHECK')
  t.ok(healthcheck, 'HEALTHCHECK present')
  const command = execForm((healthcheck as DockerInstruction).args.replace(/^.*?\bCMD\s+/, ''))
  t.equal(command[0], 'node', 'no curl in the image: node does the probe')
  t.match(command.join(' '), /\/_proxy\/healthz/)

  const sim = await startSimulator(t, { contextPath: '/jira' })
  const allowedHosts = 'bigpicture-auth-proxy,localhost,127.0.0.1'
  const proxy = await startProxy(t, { JIRA_URL: sim.url, ALLOWED_HOSTS: allowedHosts })
  const port = new URL(proxy.url).port
  const probe = async (env: Record<string, string>): Promise<number> => {
    try {
      await run(command[0] as string, command.slice(1), { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10_000 })
      return 0
    } catch (err) {
      return (err as { code?: number }).code ?? -1
    }
  }
  t.equal(await probe({ PORT: port, ALLOWED_HOSTS: allowedHosts }), 0, 'healthy with explicit ALLOWED_HOSTS')
  t.equal(await probe({ PORT: port }), 0, 'healthy with the default allowed hosts')
  t.equal(await probe({ PORT: port, ALLOWED_HOSTS: 'elsewhere.example' }), 0, 'whatever ALLOWED_HOSTS an operator sets')
  await proxy.app.close()
  t.equal(await probe({ PORT: port }), 1, 'unhealthy when nothing listens')
})

import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'

// What a user gets from `npm pack` (and so from the registry): the package is built on pack,
// installs into an empty folder and runs from there. The pack happens in a copy of the project,
// so the build it runs never rewrites the dist/ that other tests are running at the same time.

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LEFT_OUT = new Set(['node_modules', 'dist', '.git', '.tap', 'coverage'])
// Packing builds the project and installing fetches the dependencies: slow on a busy machine.
t.setTimeout(300_000)

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }

t.test('the packed tarball installs into an empty folder and its command runs: --help, --version, doctor', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bp-proxy-pack-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const project = join(dir, 'project')
  cpSync(ROOT, project, { recursive: true, filter: (src) => !LEFT_OUT.has(src.slice(ROOT.length).split('/')[0] as string) })
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'))

  const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: project })
  const [report] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string, files: Array<{ path: string }> }>
  const files = (report?.files ?? []).map((f) => f.path)
  t.ok(files.includes('dist/src/cli.js'), 'the compiled entry is in the package (built on pack)')
  t.ok(files.includes('dist/src/simulator/index.js'), 'and the simulator that `simulate` runs')
  t.ok(files.includes('LICENSE'), 'the license package.json promises')
  t.ok(files.includes('config.example.env'), 'the full list of settings')
  t.same(files.filter((f) => f.endsWith('.map') || f.endsWith('.ts')), [], 'no source maps pointing at sources left out, no sources')

  const app = join(dir, 'app')
  mkdirSync(app)
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, report?.filename as string)], { cwd: app })
  t.match(readFileSync(join(app, 'node_modules/bigpicture-auth-proxy/LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) the bigpicture-auth-proxy authors/)

  // `--no`: the installed command or nothing, never a download of whatever the registry holds.
  const npx = async (args: string[], env: Record<string, string> = {}): Promise<{ code: number, stdout: string }> => {
    try {
      const { stdout } = await run('npx', ['--no', '--', 'bigpicture-auth-proxy', ...args], { cwd: app, env: { ...process.env, ...env } })
      return { code: 0, stdout }
    } catch (err) {
      const e = err as { code?: number, stdout?: string, stderr?: string }
      return { code: e.code ?? -1, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` }
    }
  }
  const help = await npx(['--help'])
  t.equal(help.code, 0, help.stdout)
  t.match(help.stdout, /Usage:\n\s+bigpicture-auth-proxy /)
  t.match(help.stdout, /node_modules\/bigpicture-auth-proxy\/config\.example\.env/, 'points at the full list of settings where it was installed')

  const version = await npx(['--version'])
  t.equal(version.code, 0)
  t.equal(version.stdout.trim(), pkg.version)

  const sim = await startSimulator(t, { contextPath: '/jira' })
  const doctor = await npx(['doctor'], { JIRA_URL: sim.url, JIRA_USERNAME: 'svc', JIRA_PASSWORD: 'svc-secret' })
  t.equal(doctor.code, 0, doctor.stdout)
  t.match(doctor.stdout, /All checks passed/)
  t.equal(sim.stats.calls.login, 1, 'one login')
})

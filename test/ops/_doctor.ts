import { loadConfig } from '../../src/config.js'
import { type DoctorOptions, runDoctor } from '../../src/ops/doctor.js'

export interface DoctorRun {
  code: number
  lines: string[]
  out: string
}

/** Runs the doctor for `env` as an operator would set it (no `.env`), collecting its lines. */
export async function doctor (env: Record<string, string>, options: DoctorOptions = {}): Promise<DoctorRun> {
  const config = loadConfig(env, { cwd: '/nonexistent' })
  const lines: string[] = []
  const code = await runDoctor(config, (line) => lines.push(line), { env, ...options })
  return { code, lines, out: lines.join('\n') }
}

/** Shapes of secrets that must never be printed: a Tomcat session id and a JWT. */
export const SESSION_ID_SHAPE = /\b[0-9A-F]{32}\b/
export const JWT_SHAPE = /eyJ[\w-]+\.[\w-]+\./

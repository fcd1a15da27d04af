import { readFileSync } from 'node:fs'
import { versions } from 'node:process'

/**
 * The package's version, read once from its package.json. The file sits one folder up from the
 * sources (`src/`) and two up from the compiled code (`dist/src/`).
 */
export const VERSION: string = readVersion()

/** The Node.js version the proxy runs on (`v24.22.3`). */
export const NODE_VERSION: string = versions.node === undefined ? 'unknown' : `v${versions.node}`

function readVersion (): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'bigpicture-auth-proxy' && typeof pkg.version === 'string') return pkg.version
    } catch {
      // not this folder: try the next one
    }
  }
  return 'unknown'
}

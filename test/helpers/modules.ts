import { createRequire } from 'node:module'

const moduleCache = createRequire(import.meta.url).cache

/**
 * Whether this process has loaded the CommonJS package `name` (it shows in the CommonJS module
 * cache): how the tests check that a library is loaded only when the proxy needs it.
 */
export function packageLoaded (name: string): boolean {
  return Object.keys(moduleCache).some((file) => file.includes(`/node_modules/${name}/`))
}

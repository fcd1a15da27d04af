import { readFileSync } from 'node:fs'
import { parse, parseAllDocuments } from 'yaml'

/** The repository root, from this file in test/ops/. */
export const ROOT = new URL('../../', import.meta.url)

export const readRepoFile = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8')

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml }

/** YAML as Compose and Kubernetes read it: anchors, `<<` merge keys, flow and block styles. */
export function parseYaml (text: string): Yaml {
  return parse(text, { merge: true }) as Yaml
}

/**
 * Every document of a multi-document YAML file (`---` separated), empty ones left out, read as
 * YAML 1.1 like Kubernetes does (`0440` is octal there).
 */
export function parseYamlDocuments (text: string): Yaml[] {
  return parseAllDocuments(text, { version: '1.1' }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '))
    return doc.toJS() as Yaml
  }).filter((doc) => doc !== null)
}

export interface DockerInstruction {
  instruction: string
  args: string
  /** Index of the build stage (0 for the first FROM). */
  stage: number
  line: number
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
export function parseDockerfile (text: string): DockerInstruction[] {
  const out: DockerInstruction[] = []
  let stage = -1
  let pending = ''
  let start = 0
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (pending === '' && (line === '' || line.startsWith('#'))) return
    if (pending === '') start = index + 1
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `
      return
    }
    const full = (pending + line).trim()
    pending = ''
    const space = full.indexOf(' ')
    const instruction = (space < 0 ? full : full.slice(0, space)).toUpperCase()
    if (instruction === 'FROM') stage++
    out.push({ instruction, args: space < 0 ? '' : full.slice(space + 1).trim(), stage, line: start })
  })
  return out
}

/** `KEY=value KEY2=value2` (ENV and ARG in their modern form, LABEL with dotted keys) as a record. */
export function parseEnvArgs (args: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const match of args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|\S*)/g)) {
    const value = match[2] as string
    out[match[1] as string] = value.startsWith('"') ? value.slice(1, -1) : value
  }
  return out
}

/** The configuration variables src/config.ts knows, read from its schema's `properties`. */
export function schemaVariables (): string[] {
  const source = readRepoFile('src/config.ts')
  const start = source.indexOf('properties: {')
  const end = source.indexOf('\n} as const', start)
  if (start < 0 || end < 0) throw new Error('src/config.ts: schema properties not found')
  return [...source.slice(start, end).matchAll(/^\s+([A-Z][A-Z0-9_]*): \{ type:/gm)].map((m) => m[1] as string)
}

export interface ExampleEntry {
  name: string
  value: string
  commented: boolean
  /** The comment lines right above the assignment. */
  why: string[]
}

/** config.example.env: `NAME=value` lines (`#NAME=value` shows a default), each with its comment. */
export function parseExampleEnv (text: string): ExampleEntry[] {
  const entries: ExampleEntry[] = []
  let comments: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const assignment = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line)
    if (assignment !== null) {
      entries.push({ name: assignment[2] as string, value: assignment[3] as string, commented: assignment[1] !== undefined, why: comments })
      comments = []
    } else if (line.startsWith('#')) {
      comments.push(line.replace(/^#\s?/, ''))
    } else {
      comments = []
    }
  }
  return entries
}

/** The environment the image sets for the proxy (ENV lines of the Dockerfile's last stage). */
export function imageEnv (): Record<string, string> {
  const instructions = parseDockerfile(readRepoFile('Dockerfile'))
  const last = Math.max(...instructions.map((d) => d.stage))
  return Object.assign({}, ...instructions.filter((d) => d.stage === last && d.instruction === 'ENV').map((d) => parseEnvArgs(d.args))) as Record<string, string>
}

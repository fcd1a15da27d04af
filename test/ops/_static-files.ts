import { readFileSync } from 'node:fs'

/** The repository root, from this file in test/ops/. */
export const ROOT = new URL('../../', import.meta.url)

export const readRepoFile = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8')

export type Yaml = string | null | Yaml[] | { [key: string]: Yaml }

/**
 * Reads the block-YAML subset docker-compose.yml is written in: nested maps by indentation, `- `
 * lists of scalars, plain/quoted scalars and JSON-style `[...]` flow lists, full-line comments.
 * Anything outside that subset throws, so a change to the file cannot slip past the checks.
 */
export function parseYaml (text: string): Yaml {
  const lines = text.split('\n')
    .map((raw, index) => ({ raw: raw.replace(/\s+$/, ''), n: index + 1 }))
    .filter(({ raw }) => raw.trim() !== '' && !raw.trim().startsWith('#'))
  let i = 0
  const indentOf = (k: number): number => {
    const raw = (lines[k] as { raw: string }).raw
    if (raw.includes('\t')) throw new Error(`line ${lines[k]?.n}: tabs are not YAML indentation`)
    return raw.length - raw.trimStart().length
  }
  const fail = (why: string): never => { throw new Error(`line ${lines[i]?.n ?? 'end'}: ${why}`) }

  function scalar (value: string): Yaml {
    if (/\s#/.test(value) && !/^["'[]/.test(value)) fail('trailing comments are outside the supported subset')
    if (value.startsWith('"') || value.startsWith('[')) return JSON.parse(value) as Yaml
    if (value.startsWith("'")) {
      if (!value.endsWith("'")) fail('unterminated single-quoted scalar')
      return value.slice(1, -1).replace(/''/g, "'")
    }
    if (/^[{&*!|>]/.test(value)) fail(`unsupported YAML construct: ${value}`)
    return value === 'null' || value === '~' ? null : value
  }

  function block (indent: number): Yaml {
    return (lines[i] as { raw: string }).raw.trimStart().startsWith('- ') ? list(indent) : map(indent)
  }

  function list (indent: number): Yaml[] {
    const out: Yaml[] = []
    while (i < lines.length && indentOf(i) === indent) {
      const text = (lines[i] as { raw: string }).raw.trim()
      if (!text.startsWith('- ')) fail('a list mixed with a map')
      const item = text.slice(2).trim()
      if (/^[\w.-]+:(\s|$)/.test(item)) fail('maps inside lists are outside the supported subset')
      out.push(scalar(item))
      i++
    }
    return out
  }

  function map (indent: number): { [key: string]: Yaml } {
    const out: { [key: string]: Yaml } = {}
    while (i < lines.length && indentOf(i) === indent) {
      const text = (lines[i] as { raw: string }).raw.trim()
      const match = /^([\w.-]+):(?:\s+(.*))?$/.exec(text)
      if (match === null) fail(`not a "key: value" line: ${text}`)
      const key = (match as RegExpExecArray)[1] as string
      if (key in out) fail(`duplicate key ${key}`)
      const value = (match as RegExpExecArray)[2]
      i++
      if (value !== undefined) {
        out[key] = scalar(value)
      } else if (i < lines.length && indentOf(i) > indent) {
        out[key] = block(indentOf(i))
      } else {
        out[key] = null
      }
    }
    if (i < lines.length && indentOf(i) > indent) fail('unexpected indentation')
    return out
  }

  const doc = block(0)
  if (i < lines.length) fail('unexpected indentation')
  return doc
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

/** A sample of Prometheus text: the series name, its labels and its value. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Prometheus text exposition: metric families by `# TYPE` and every sample line. */
export interface Exposition {
  /** Family name -> type (`counter`, `gauge`, `histogram`, `summary`, `untyped`). */
  types: Map<string, string>
  samples: Sample[]
}

/** Parses `/_proxy/metrics` (text format 0.0.4; label values without escaped quotes). */
export function parseExposition (text: string): Exposition {
  const types = new Map<string, string>()
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (type !== null) {
      types.set(type[1] as string, type[2] as string)
      continue
    }
    if (line === '' || line.startsWith('#')) continue
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)
    if (sample === null) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) labels[m[1] as string] = m[2] as string
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) })
  }
  return { types, samples }
}

/** The series names a family serves: a histogram's `_bucket`, `_sum` and `_count`, and so on. */
export function seriesNames (exposition: Exposition): Set<string> {
  const names = new Set<string>()
  for (const [family, type] of exposition.types) {
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(family + suffix)
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(family + suffix)
    else names.add(family)
  }
  return names
}

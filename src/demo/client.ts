/** The demo's scripted client: what curl -c/-b or a browser would do, with values never printed. */

/** Prints one line of the demo's story. */
export type Out = (line?: string) => void

/** The Jira + BigPicture app every demo calls. */
export const APP = 'softwareplant-bigpicture'

/** A cookie jar for one origin: what curl -c/-b or a browser would keep, values never printed. */
export class ClientCookieJar {
  readonly #cookies = new Map<string, string>()

  /** Keeps the cookies an answer sets; returns their names with `Path`, `HttpOnly`, `Secure`. */
  store (response: Response): string[] {
    const names: string[] = []
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0] ?? ''
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      this.#cookies.set(name, pair.slice(eq + 1).trim())
      names.push(`${name} (${line.split(';').slice(1).map((a) => a.trim()).filter((a) => /^(path|httponly|secure)/i.test(a)).join('; ')})`)
    }
    return names
  }

  /** The `Cookie` header to send: every cookie kept. */
  header (): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/** An answer the script checks. */
export interface Step {
  status: number
  body: unknown
}

/** One request with the jar's cookies (if any); the answer's cookies go back into the jar. */
export async function call (url: string, jar: ClientCookieJar | undefined, init: { method?: string, json?: unknown } = {}): Promise<Step> {
  const headers: Record<string, string> = { accept: 'application/json' }
  const cookie = jar?.header() ?? ''
  if (cookie !== '') headers.cookie = cookie
  if (init.json !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) })
  jar?.store(res)
  const text = await res.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON; keep the text
  }
  return { status: res.status, body }
}

/** Jira's REST login as a script does it; the cookies it sets go into the jar. */
export async function login (proxyUrl: string, jar: ClientCookieJar, username: string, password: string): Promise<{ status: number, kept: string[] }> {
  const res = await fetch(`${proxyUrl}/rest/auth/1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username, password })
  })
  const kept = jar.store(res)
  await res.body?.cancel()
  return { status: res.status, kept }
}

/** The ✔/✘ lines of a script, and whether every one was a ✔. */
export class Checklist {
  ok = true
  readonly #out: Out

  constructor (out: Out) {
    this.#out = out
  }

  /** A ✔ when `good`, else a ✘ that fails the demo. */
  check (good: boolean, what: string): void {
    if (!good) this.ok = false
    this.#out(`   ${good ? '✔' : '✘'} ${what}`)
  }

  /** A ✔ when the answer has the expected status. */
  expect (step: Step, status: number, what: string): void {
    const good = step.status === status
    this.check(good, `${what}: HTTP ${step.status}${good ? '' : ` (expected ${status})`}`)
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { type LogDestination, batchedDestination } from '../../src/logger.js'
import { sleep, until } from '../helpers/clients.js'

/** The process's kind of destination (asynchronous, batching), writing to a file of its own. */
function destination (t: { teardown (fn: () => unknown): void }, batchBytes: number): { log: LogDestination, file: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'bpap-log-'))
  const path = join(dir, 'out.log')
  const fd = openSync(path, 'a')
  t.teardown(() => {
    closeSync(fd)
    rmSync(dir, { recursive: true, force: true })
  })
  return { log: batchedDestination(fd, batchBytes), file: () => readFileSync(path, 'utf8') }
}

/**
 * Flushes until the file holds `expected`, as the CLI's periodic flush does: a flush that comes
 * while a batch is being written leaves what is queued behind it for the next one.
 */
async function flushedTo (log: LogDestination, file: () => string, expected: string): Promise<string> {
  for (let i = 0; i < 200 && file() !== expected; i++) {
    log.flush()
    await sleep(10)
  }
  return file()
}

t.test('lines wait until a batch is full, then go out whole and in order', async (t) => {
  const { log, file } = destination(t, 30)
  log.write('one 56789\n')
  log.write('two 56789\n')
  await sleep(50)
  t.equal(file(), '', 'below the batch size nothing is written')
  log.write('three 789\n')
  await until(() => file() !== '')
  t.equal(file(), 'one 56789\ntwo 56789\nthree 789\n', 'a full batch is written')
  log.write('four 6789\n')
  t.equal(await flushedTo(log, file, 'one 56789\ntwo 56789\nthree 789\nfour 6789\n'), 'one 56789\ntwo 56789\nthree 789\nfour 6789\n', 'flush writes what is left')
})

t.test('characters beyond ASCII, and a line longer than a batch, arrive intact and in order', async (t) => {
  const { log, file } = destination(t, 64)
  const lines = ['{"path":"/żółw/日本"}\n', 'x'.repeat(100_000) + '\n', '{"emoji":"🐢"}\n', 'ą'.repeat(21) + '\n']
  for (const line of lines) log.write(line)
  t.equal(await flushedTo(log, file, lines.join('')), lines.join(''))
})

t.test('flushSync writes what is queued before returning', async (t) => {
  const { log, file } = destination(t, 1 << 15)
  log.write('a\n')
  log.write('b\n')
  log.flushSync()
  t.equal(file(), 'a\nb\n')
})

t.test('a pino logger on it: lines in order, each a JSON object', async (t) => {
  const { log, file } = destination(t, 1 << 15)
  const logger = pino({ base: null, timestamp: false }, log)
  logger.info('first')
  logger.warn({ n: 2 }, 'second')
  log.flushSync()
  t.same(file().trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ level: 30, msg: 'first' }, { level: 40, n: 2, msg: 'second' }])
})

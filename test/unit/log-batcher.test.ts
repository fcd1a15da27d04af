import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import t from 'tap'
import { LineBatcher, createLogger, flushLogSync } from '../../src/logger.js'

/** A batcher in front of a synchronous sonic-boom writing to a file of its own. */
function batcher (t: { teardown (fn: () => unknown): void }, batchBytes: number): { log: LineBatcher, file: () => string } {
  const dir = mkdtempSync(join(tmpdir(), 'bpap-log-'))
  const path = join(dir, 'out.log')
  const dest = pino.destination({ dest: path, sync: true, contentMode: 'buffer' })
  t.teardown(() => {
    dest.destroy()
    rmSync(dir, { recursive: true, force: true })
  })
  return { log: new LineBatcher(dest, batchBytes), file: () => readFileSync(path, 'utf8') }
}

t.test('lines wait until a batch is full, then go out whole and in order', async (t) => {
  // Room is kept for three bytes a character: a line of 10 goes in while 30 bytes are free.
  const { log, file } = batcher(t, 55)
  log.write('one 56789\n')
  log.write('two 56789\n')
  log.write('three 789\n')
  t.equal(file(), '', 'below the batch size nothing is written')
  log.write('four 6789\n')
  t.equal(file(), 'one 56789\ntwo 56789\nthree 789\n', 'a full batch is written before the line that did not fit')
  log.flushSync()
  t.equal(file(), 'one 56789\ntwo 56789\nthree 789\nfour 6789\n')
})

t.test('characters beyond ASCII, and a line longer than a batch, arrive intact and in order', async (t) => {
  const { log, file } = batcher(t, 64)
  const lines = ['{"path":"/żółw/日本"}\n', 'x'.repeat(100) + '\n', '{"emoji":"🐢"}\n', 'ą'.repeat(21) + '\n']
  for (const line of lines) log.write(line)
  log.flushSync()
  t.equal(file(), lines.join(''))
})

t.test('flush hands on what is pending; flushSync has written it when it returns', async (t) => {
  const { log, file } = batcher(t, 1 << 20)
  log.write('a\n')
  await new Promise<void>((resolve, reject) => log.flush((err) => { if (err === undefined || err === null) resolve(); else reject(err) }))
  t.equal(file(), 'a\n')
  log.write('b\n')
  log.flushSync()
  t.equal(file(), 'a\nb\n')
  log.flushSync()
  t.equal(file(), 'a\nb\n', 'nothing pending: nothing written twice')
})

t.test('a pino logger on a batcher: its lines and flushLogSync', async (t) => {
  const { log, file } = batcher(t, 1 << 20)
  const logger = pino({ base: null, timestamp: false }, log)
  logger.info('first')
  logger.warn({ n: 2 }, 'second')
  t.equal(file(), '')
  flushLogSync(logger)
  t.same(file().trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ level: 30, msg: 'first' }, { level: 40, n: 2, msg: 'second' }])
})

t.test('flushLogSync never throws, whatever the destination', async (t) => {
  t.doesNotThrow(() => flushLogSync(createLogger('info', { write: () => {} })), 'a destination without flushSync')
  const dir = mkdtempSync(join(tmpdir(), 'bpap-log-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const dest = pino.destination({ dest: join(dir, 'out.log'), sync: true, contentMode: 'buffer' })
  const logger = pino({}, new LineBatcher(dest))
  logger.info('x')
  dest.destroy()
  t.doesNotThrow(() => flushLogSync(logger), 'a destroyed destination')
})

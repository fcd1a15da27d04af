import t from 'tap'
import { UsageError, parseOptions } from '../../soak/options.js'

t.test('the soak runs one proxy unless told otherwise; --replicas picks how many share a store', async (t) => {
  const defaults = parseOptions([])
  if (defaults === 'help') throw new Error('no help asked')
  t.equal(defaults.replicas, 1)
  for (const args of [['--replicas', '2'], ['--replicas=2']]) {
    const options = parseOptions(args)
    if (options === 'help') throw new Error('no help asked')
    t.equal(options.replicas, 2, args.join(' '))
  }
})

t.test('a bad replica count is refused with a sentence', async (t) => {
  for (const args of [['--replicas', '0'], ['--replicas', 'two'], ['--replicas']]) {
    t.throws(() => parseOptions(args), new UsageError('--replicas needs a whole number >= 1'), args.join(' '))
  }
})

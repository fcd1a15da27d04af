import t from 'tap'
import { DEFAULTS, UsageError, parseOptions } from '../../soak/options.js'

t.test('the soak runs against one Jira unless told otherwise', async (t) => {
  const options = parseOptions([])
  if (options === 'help') throw new Error('no help asked')
  t.equal(options.nodes, 1)
  t.equal(options.affinity, DEFAULTS.affinity)
})

t.test('--nodes and --affinity pick the cluster, each affinity mode by name', async (t) => {
  for (const affinity of ['cookie', 'rotating', 'jvmRoute'] as const) {
    for (const args of [['--nodes', '3', '--affinity', affinity], ['--affinity', affinity, '--nodes', '3'], ['--nodes=3', `--affinity=${affinity}`]]) {
      const options = parseOptions(args)
      if (options === 'help') throw new Error('no help asked')
      t.same({ nodes: options.nodes, affinity: options.affinity }, { nodes: 3, affinity }, args.join(' '))
    }
  }
})

t.test('a bad node count or affinity is refused with a sentence', async (t) => {
  const refusal = (args: string[]): unknown => {
    try {
      parseOptions(args)
    } catch (err) {
      return err instanceof UsageError ? err.message : err
    }
    return 'accepted'
  }
  t.equal(refusal(['--nodes', '0']), '--nodes needs a whole number >= 1')
  t.equal(refusal(['--nodes', 'two']), '--nodes needs a whole number >= 1')
  t.equal(refusal(['--affinity', 'none']), '--affinity is one of cookie, rotating, jvmRoute')
  t.equal(refusal(['--affinity']), '--affinity is one of cookie, rotating, jvmRoute')
})

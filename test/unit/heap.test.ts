import t from 'tap'
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../src/ops/heap.js'

t.test('heapGrowthFlag: the proxy sets its growth policy unless the operator chose one', async (t) => {
  const ours = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`
  const cases: Array<[string, string[], string | undefined]> = [
    ['no node options', [], ours],
    ['other node options', ['--enable-source-maps', '--max-old-space-size=512'], ours],
    ['the operator\'s percent', ['--heap-growing-percent=80'], undefined],
    ['spelt with underscores', ['--heap_growing_percent=80'], undefined],
    ['among others', ['--enable-source-maps', '--heap-growing-percent=5'], undefined],
    ['a flag that only starts alike', ['--heap-growing-percentage=5'], ours]
  ]
  for (const [name, argv, expected] of cases) t.equal(heapGrowthFlag(argv), expected, name)
  t.ok(HEAP_GROWING_PERCENT > 0 && HEAP_GROWING_PERCENT < 100)
})

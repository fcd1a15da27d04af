import t from 'tap'
import { parseSimulateArgs } from '../../src/simulator/args.js'

t.test('without cluster flags the arguments carry no cluster shape', async (t) => {
  const args = parseSimulateArgs(['--port', '0'])
  t.equal(args.nodes, undefined)
  t.equal(args.affinity, undefined)
})

t.test('cluster flags, in both spellings', async (t) => {
  const cases: Array<[string[], Partial<ReturnType<typeof parseSimulateArgs>>]> = [
    [['--nodes', '3'], { nodes: 3 }],
    [['--nodes=16'], { nodes: 16 }],
    [['--nodes', '2', '--affinity-cookie', 'INGRESSCOOKIE'], { nodes: 2, affinity: { mode: 'cookie', cookie: 'INGRESSCOOKIE' } }],
    [['--affinity-cookie=BIGipServerjira_pool'], { affinity: { mode: 'cookie', cookie: 'BIGipServerjira_pool' } }],
    [['--affinity', 'cookie', '--affinity-set', 'session'], { affinity: { mode: 'cookie', setCookie: 'session' } }],
    [['--affinity-set=every'], { affinity: { mode: 'cookie', setCookie: 'every' } }],
    [['--affinity', 'rotating'], { affinity: { mode: 'rotating' } }],
    [['--affinity=rotating', '--affinity-cookie', 'AWSALB'], { affinity: { mode: 'rotating', cookie: 'AWSALB' } }],
    [['--affinity', 'jvmroute'], { affinity: { mode: 'jvmRoute' } }],
    [['--affinity', 'none'], { affinity: { mode: 'none' } }]
  ]
  for (const [argv, expected] of cases) t.same({ nodes: undefined, affinity: undefined, ...expected }, { nodes: parseSimulateArgs(argv).nodes, affinity: parseSimulateArgs(argv).affinity }, argv.join(' '))
})

t.test('bad cluster flags throw a clear message', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--nodes', '0'], /--nodes must be a number from 1 to 16, got "0"/],
    [['--nodes', '17'], /--nodes must be a number from 1 to 16/],
    [['--nodes', 'two'], /--nodes must be/],
    [['--nodes'], /--nodes needs a value/],
    [['--affinity', 'ip-hash'], /--affinity must be one of cookie, rotating, jvmroute, none, got "ip-hash"/],
    [['--affinity-cookie', 'bad name'], /--affinity-cookie must be a cookie name, got "bad name"/],
    [['--affinity-cookie', 'a;b'], /--affinity-cookie must be a cookie name/],
    [['--affinity', 'jvmroute', '--affinity-cookie', 'ROUTEID'], /--affinity-cookie does not apply to --affinity jvmroute/],
    [['--affinity', 'rotating', '--affinity-set', 'assign'], /--affinity-set applies to --affinity cookie only/],
    [['--affinity-set', 'sometimes'], /--affinity-set must be one of assign, every, session, got "sometimes"/]
  ]
  for (const [argv, message] of cases) t.throws(() => parseSimulateArgs(argv), message, argv.join(' '))
})

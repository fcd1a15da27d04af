import t from 'tap'
import { parseSimulateArgs } from '../../src/simulator/args.js'

t.test('defaults', async (t) => {
  t.same(parseSimulateArgs([]), {
    port: 8090,
    host: '127.0.0.1',
    contextPath: '',
    users: { alice: 'alice-secret', bob: 'bob-secret', svc: 'svc-secret' }
  })
  t.same(parseSimulateArgs(['simulate']).port, 8090, 'a leading subcommand is skipped')
})

t.test('flags, in both spellings', async (t) => {
  const cases: Array<[string[], Partial<ReturnType<typeof parseSimulateArgs>>]> = [
    [['--port', '0'], { port: 0 }],
    [['--port=65535'], { port: 65535 }],
    [['--host', '0.0.0.0'], { host: '0.0.0.0' }],
    [['--host=::1'], { host: '::1' }],
    [['--context-path', '/jira'], { contextPath: '/jira' }],
    [['--context-path=/jira/'], { contextPath: '/jira' }],
    [['--context-path', '/'], { contextPath: '' }],
    [['--users', 'alice:pw,bob:p:w'], { users: { alice: 'pw', bob: 'p:w' } }],
    [['--port', '9000', '--users=carol:c'], { port: 9000, users: { carol: 'c' } }]
  ]
  for (const [argv, expected] of cases) t.match(parseSimulateArgs(argv), expected, argv.join(' '))
})

t.test('bad flags throw a clear message', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--prot', '1'], /unknown option "--prot"/],
    [['extra'], /unknown option "extra"/],
    [['--port'], /--port needs a value/],
    [['--port', '--host'], /--port needs a value/],
    [['--port', '70000'], /--port must be a number from 0 to 65535/],
    [['--port', 'abc'], /--port must be/],
    [['--port=-1'], /--port must be/],
    [['--host', ''], /--host must not be empty/],
    [['--context-path', 'jira'], /--context-path must start with "\/"/],
    [['--users', 'alice'], /--users takes name:password pairs/],
    [['--users', ':pw'], /--users takes name:password pairs/],
    [['--users', 'alice:'], /--users takes name:password pairs/]
  ]
  for (const [argv, message] of cases) t.throws(() => parseSimulateArgs(argv), message, argv.join(' '))
})

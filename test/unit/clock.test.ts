import t from 'tap'
import { clockOffsetMs, localExpiry } from '../../src/tokens/clock.js'

const LOCAL = Date.parse('2026-03-01T12:00:00.000Z')

t.test('clockOffsetMs: Jira time minus local time, from the Date header', async (t) => {
  const cases: Array<[string, string | string[] | undefined, number]> = [
    ['Jira ahead', 'Sun, 01 Mar 2026 12:01:00 GMT', 60_000],
    ['Jira behind', 'Sun, 01 Mar 2026 11:59:30 GMT', -30_000],
    ['in step', 'Sun, 01 Mar 2026 12:00:00 GMT', 0],
    ['missing', undefined, 0],
    ['empty', '', 0],
    ['garbage', 'yesterday-ish', 0],
    ['several values', ['Sun, 01 Mar 2026 12:01:00 GMT', 'Sun, 01 Mar 2026 12:01:00 GMT'], 0]
  ]
  for (const [name, header, expected] of cases) t.equal(clockOffsetMs(header, LOCAL), expected, name)
})

t.test('localExpiry: a Jira-clock exp in local milliseconds', async (t) => {
  const cases: Array<[string, number, number, number]> = [
    ['no offset', 1_700_000_000, 0, 1_700_000_000_000],
    ['Jira a minute ahead: expires a minute earlier here', 1_700_000_000, 60_000, 1_699_999_940_000],
    ['Jira behind: expires later here', 1_700_000_000, -30_000, 1_700_000_030_000]
  ]
  for (const [name, exp, offset, expected] of cases) t.equal(localExpiry(exp, offset), expected, name)
})

t.test('a 15-minute token from a Jira whose clock is 5 minutes ahead lives 15 minutes here', async (t) => {
  const offset = clockOffsetMs('Sun, 01 Mar 2026 12:05:00 GMT', LOCAL)
  const jiraNowSeconds = Date.parse('2026-03-01T12:05:00Z') / 1000
  t.equal(localExpiry(jiraNowSeconds + 900, offset) - LOCAL, 900_000)
})

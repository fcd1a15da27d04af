import t from 'tap'
import { sessionIdIn, withSessionCookies } from '../../src/tokens/session.js'

t.test('sessionIdIn: the session id of a caller\'s Cookie header', async (t) => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['JSESSIONID=ABC123', 'ABC123'],
    ['a=1; JSESSIONID=ABC123; b=2', 'ABC123'],
    ['a=1;JSESSIONID=ABC123;b=2', 'ABC123'],
    ['a=1;   JSESSIONID=ABC123', 'ABC123'],
    ['a=1;\tJSESSIONID=ABC123', 'ABC123'],
    ['  JSESSIONID=ABC123', 'ABC123'],
    ['JSESSIONID= ABC123 ; b=2', 'ABC123'],
    ['JSESSIONID="ABC123"', 'ABC123'],
    ['a=1; JSESSIONID="ABC123"; b=2', 'ABC123'],
    // not the cookie
    ['XJSESSIONID=ABC123', undefined],
    ['a=1; XJSESSIONID=ABC123', undefined],
    ['jsessionid=ABC123', undefined],
    ['JSESSIONIDX=ABC123', undefined],
    ['a=JSESSIONID=ABC123', undefined],
    ['XJSESSIONID=evil; JSESSIONID=good', 'good'],
    ['a=JSESSIONID=evil; JSESSIONID=good', 'good'],
    // empty or unusable values are skipped
    ['JSESSIONID=', undefined],
    ['JSESSIONID=; b=2', undefined],
    ['JSESSIONID=""', undefined],
    ['JSESSIONID=; JSESSIONID=SECOND', 'SECOND'],
    ['JSESSIONID=a b; JSESSIONID=SECOND', 'SECOND'],
    ['JSESSIONID=\u00e9', undefined],
    // several: the first usable one
    ['JSESSIONID=FIRST; JSESSIONID=SECOND', 'FIRST'],
    // malformed headers never throw
    [';;;', undefined],
    ['=; =JSESSIONID=', undefined],
    ['JSESSIONID', undefined],
    ['JSESSIONID=ABC;', 'ABC'],
    ['"JSESSIONID=ABC"', undefined]
  ]
  for (const [header, expected] of cases) t.equal(sessionIdIn(header), expected, JSON.stringify(header))
})

t.test('withSessionCookies: the proxy\'s session over the caller\'s cookies', async (t) => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, 'JSESSIONID=NEW'],
    ['', 'JSESSIONID=NEW'],
    ['a=1', 'a=1; JSESSIONID=NEW'],
    ['a=1; b=2', 'a=1; b=2; JSESSIONID=NEW'],
    ['a=1;', 'a=1; JSESSIONID=NEW'],
    ['a=1; ', 'a=1; JSESSIONID=NEW'],
    [';; ', 'JSESSIONID=NEW'],
    ['JSESSIONID=OLD', 'JSESSIONID=NEW'],
    ['a=1; JSESSIONID=OLD; b=2', 'a=1; b=2; JSESSIONID=NEW'],
    ['JSESSIONID=OLD1; a=1; JSESSIONID=OLD2', 'a=1; JSESSIONID=NEW'],
    ['a=1;JSESSIONID=OLD;b=2', 'a=1; b=2; JSESSIONID=NEW'],
    ['a=1;\tJSESSIONID=OLD', 'a=1; JSESSIONID=NEW'],
    ['XJSESSIONID=keep', 'XJSESSIONID=keep; JSESSIONID=NEW'],
    ['XJSESSIONID=keep; JSESSIONID=OLD', 'XJSESSIONID=keep; JSESSIONID=NEW'],
    ['a=JSESSIONID=keep', 'a=JSESSIONID=keep; JSESSIONID=NEW']
  ]
  for (const [header, expected] of cases) {
    const out = withSessionCookies(header, 'JSESSIONID=NEW')
    t.equal(out, expected, JSON.stringify(header))
    t.equal(sessionIdIn(out), 'NEW', `${JSON.stringify(header)}: the new session is what Jira sees`)
  }
})

t.test('withSessionCookies: the names a session sets give way, the rest of the caller\'s stay', async (t) => {
  const ours = 'JSESSIONID=NEW; AWSALB=node-2'
  const cases: Array<[string | undefined, string]> = [
    [undefined, ours],
    ['AWSALB=node-1', ours],
    ['a=1; AWSALB=node-1; JSESSIONID=OLD', `a=1; ${ours}`],
    ['AWSALBCORS=keep', `AWSALBCORS=keep; ${ours}`]
  ]
  for (const [header, expected] of cases) t.equal(withSessionCookies(header, ours), expected, JSON.stringify(header))
  t.equal(withSessionCookies('a=1; JSESSIONID=CALLER', ''), 'a=1', 'an empty jar still keeps the caller off the session cookie')
})

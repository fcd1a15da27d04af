import t from 'tap'
import { isRawJwt, readJwtExpiry } from '../../src/tokens/jwt.js'

const b64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64url')
const HEADER = b64('{"alg":"HS256","typ":"JWT"}')
const jwt = (payload: string, signature = 'c2lnbmF0dXJl'): string => `${HEADER}.${b64(payload)}.${signature}`

t.test('readJwtExpiry', async (t) => {
  const cases: Array<[string, string, number | undefined]> = [
    ['exp in seconds', jwt('{"sub":"alice","exp":2000000000}'), 2000000000],
    ['exp with a fraction', jwt('{"exp":1700000000.5}'), 1700000000.5],
    ['exp of zero', jwt('{"exp":0}'), 0],
    ['no signature', jwt('{"exp":1700000000}', ''), 1700000000],
    ['no exp', jwt('{"sub":"alice"}'), undefined],
    ['exp as a string', jwt('{"exp":"1700000000"}'), undefined],
    ['exp null', jwt('{"exp":null}'), undefined],
    ['exp beyond a double', jwt('{"exp":1e400}'), undefined],
    ['exp in an object', jwt('{"exp":{"value":1}}'), undefined],
    ['payload null', jwt('null'), undefined],
    ['payload a number', jwt('5'), undefined],
    ['payload an array', jwt('[{"exp":1}]'), undefined],
    ['payload not JSON', jwt('exp=1700000000'), undefined],
    ['payload not base64', `${HEADER}.!!!.sig`, undefined],
    ['payload empty', `${HEADER}..sig`, undefined],
    ['one segment', HEADER, undefined],
    ['two segments', `${HEADER}.${b64('{"exp":1}')}`, undefined],
    ['no header', `.${b64('{"exp":1}')}.sig`, undefined],
    ['empty', '', undefined],
    ['garbage', 'not a token at all', undefined]
  ]
  for (const [name, token, expected] of cases) t.equal(readJwtExpiry(token), expected, name)
})

t.test('isRawJwt', async (t) => {
  const real = jwt('{"exp":2000000000}')
  const cases: Array<[string, string, boolean]> = [
    ['a JWT', real, true],
    ['an unsigned JWT', jwt('{"exp":2000000000}', ''), true],
    ['Bearer in front', `Bearer ${real}`, false],
    ['APIToken in front', `APIToken ${real}`, false],
    ['Basic credentials', 'Basic Ym9iOnB3', false],
    ['a trailing space', `${real} `, false],
    ['two segments', real.slice(0, real.lastIndexOf('.')), false],
    ['four segments', `${real}.x`, false],
    ['standard base64 characters', `${real}+/=`, false],
    ['too short', 'eyJ.eyJ.x', false],
    ['not starting with e', `x${real.slice(1)}`, false],
    ['empty', '', false]
  ]
  for (const [name, value, expected] of cases) t.equal(isRawJwt(value), expected, name)
})

import t from 'tap'
import { INVALID_ROUTE, JIRA_ROUTE, PROXY_ROUTE, type Route, createRouteClassifier, normalizePath } from '../../src/proxy/route.js'

const APPS = ['softwareplant-bigpicture', 'softwareplant-biggantt', 'softwareplant-bigtemplate']
const classify = createRouteClassifier(APPS)

const BP: Route = { family: 'bigpicture', app: 0 }
const GANTT: Route = { family: 'bigpicture', app: 1 }
const TEMPLATE: Route = { family: 'bigpicture', app: 2 }

t.test('the endpoints the service identity is limited on, however they are spelled', async (t) => {
  const SESSION: Route = { family: 'jira', endpoint: 'session' }
  const LOGOUT: Route = { family: 'jira', endpoint: 'logout' }
  const CREDENTIALS: Route = { family: 'jira', endpoint: 'credentials' }
  const BP_TOKENS: Route = { family: 'bigpicture', app: 0, tokenEndpoint: true }
  const GANTT_TOKENS: Route = { family: 'bigpicture', app: 1, tokenEndpoint: true }
  const cases: Array<[string, Route]> = [
    ['/rest/auth/1/session', SESSION],
    ['/rest/auth/latest/session', SESSION],
    ['/rest/auth/1/session/', SESSION],
    ['/rest/auth/1/session?x=1', SESSION],
    ['//rest/auth/1/session', SESSION],
    ['/rest//auth/1/session', SESSION],
    ['/rest/auth/1/session;x=1', SESSION],
    ['/rest/auth;a=b/1/session', SESSION],
    ['/rest/auth/1/%73ession', SESSION],
    ['/rest/%61uth/1/session', SESSION],
    ['/rest/auth/1/sessions', JIRA_ROUTE],
    ['/rest/auth/1/websudo', JIRA_ROUTE],
    ['/rest/auth/2/session', JIRA_ROUTE],
    ['/secure/Logout!default.jspa', LOGOUT],
    ['/secure/Logout.jspa', LOGOUT],
    ['/secure/logout!default.jspa?atl_token=x', LOGOUT],
    ['/secure//Logout!default.jspa', LOGOUT],
    ['/secure/%4Cogout!default.jspa', LOGOUT],
    ['/logout', LOGOUT],
    ['/logout;x=1', LOGOUT],
    ['//logout/', LOGOUT],
    ['/logouts', JIRA_ROUTE],
    ['/secure/LogoutX.jspa', JIRA_ROUTE],
    ['/rest/pat/latest/tokens', CREDENTIALS],
    ['/rest/pat/latest/tokens/5', CREDENTIALS],
    ['/rest//pat/latest/tokens', CREDENTIALS],
    ['/rest/api/2/myself/password', CREDENTIALS],
    ['/rest/api/latest/myself/password', CREDENTIALS],
    ['/rest/api/2/myself', JIRA_ROUTE],
    ['/rest/softwareplant-bigpicture/1.0/system/auth', BP_TOKENS],
    ['/rest/softwareplant-bigpicture/1.0/system/reauth', BP_TOKENS],
    ['/rest/softwareplant-bigpicture/latest/system/auth/', BP_TOKENS],
    ['/rest/softwareplant-bigpicture/1.0/system/%61uth', BP_TOKENS],
    ['/rest/softwareplant-bigpicture/1.0//system/auth', BP_TOKENS],
    ['/rest/softwareplant-bigpicture/1.0/system;x=1/auth', BP_TOKENS],
    ['//rest/softwareplant-biggantt/1.0/system/reauth?x', GANTT_TOKENS],
    ['/rest/softwareplant-bigpicture/1.0/system/authx', BP],
    ['/rest/softwareplant-bigpicture/1.0/system', BP],
    ['/rest/softwareplant-bigpicture/system/auth', BP]
  ]
  for (const [url, expected] of cases) t.same(classify(url), expected, url)
})

t.test('route families', async (t) => {
  const cases: Array<[string, Route]> = [
    // the three apps
    ['/rest/softwareplant-bigpicture/1.0/box', BP],
    ['/rest/softwareplant-biggantt/1.0/tasks', GANTT],
    ['/rest/softwareplant-bigtemplate/1.0/templates', TEMPLATE],
    ['/rest/softwareplant-bigpicture/', BP],
    // not under an app root
    ['/rest/softwareplant-bigpicture', JIRA_ROUTE],
    ['/rest/softwareplant-bigpictureX/1.0/box', JIRA_ROUTE],
    ['/rest/softwareplant-bigpicture-x/1.0/box', JIRA_ROUTE],
    ['/rest/SoftwarePlant-BigPicture/1.0/box', JIRA_ROUTE],
    ['/REST/softwareplant-bigpicture/1.0/box', JIRA_ROUTE],
    ['/rest/api/2/myself', JIRA_ROUTE],
    ['/rest/api/2/softwareplant-bigpicture/1.0/box', JIRA_ROUTE],
    ['/softwareplant-bigpicture/1.0/box', JIRA_ROUTE],
    ['/rest/', JIRA_ROUTE],
    ['/rest', JIRA_ROUTE],
    ['/', JIRA_ROUTE],
    ['/secure/Dashboard.jspa', JIRA_ROUTE],
    ['/rest.', JIRA_ROUTE],
    ['/a.b/c.d', JIRA_ROUTE],
    ['/a/.hidden', JIRA_ROUTE],
    ['/a/..b', JIRA_ROUTE],
    // query strings are ignored
    ['/rest/softwareplant-bigpicture/1.0/box?x=/../../rest/api', BP],
    ['/rest/api/2/search?jql=/rest/softwareplant-bigpicture/', JIRA_ROUTE],
    ['/rest/softwareplant-bigpicture?x=/', JIRA_ROUTE],
    ['/rest/x?%zz', JIRA_ROUTE],
    // the proxy's own endpoints
    ['/_proxy/healthz', PROXY_ROUTE],
    ['/_proxy/metrics?x=1', PROXY_ROUTE],
    ['/_proxy/unknown', PROXY_ROUTE],
    ['/_proxyX/healthz', JIRA_ROUTE],
    ['/_PROXY/healthz', JIRA_ROUTE],
    // what the router sees undecoded is not one of the proxy's routes
    ['/_proxy%2fhealthz', JIRA_ROUTE],
    ['/%5fproxy/healthz', JIRA_ROUTE],
    // encoded but harmless
    ['/rest/softwareplant-bigpicture/1.0/box%20name', BP],
    ['/rest/api/2/issue/A%20B', JIRA_ROUTE],
    ['/rest/softwareplant-%62igpicture/1.0/box', BP],
    ['/rest/softwareplant-bigpicture%2f1.0/box', BP],
    ['/rest%2fsoftwareplant-bigpicture/1.0/box', BP],
    ['/rest/softwareplant-bigpicture/a%2ebox', BP],
    ['/rest/softwareplant-bigpicture/%252e%252e/x', BP],
    // Tomcat path parameters and merged slashes: what Jira maps is what counts
    ['/rest/softwareplant-bigpicture;jsessionid=abc/1.0/box', BP],
    ['/rest/api;x=1/2/myself', JIRA_ROUTE],
    ['/rest//softwareplant-bigpicture/1.0/box', BP],
    ['//rest/softwareplant-bigpicture/1.0/box', BP],
    ['/rest/softwareplant-bigpicture//1.0/box', BP]
  ]
  for (const [url, expected] of cases) t.same(classify(url), expected, url)
})

t.test('dot segments, backslashes, NUL and malformed encoding are invalid', async (t) => {
  const invalid = [
    '/rest/softwareplant-bigpicture/..%2f..%2frest/api/2/myself',
    '/rest/softwareplant-bigpicture/../../rest/api/2/myself',
    '/rest/api/2/../../softwareplant-bigpicture/1.0/box',
    '/rest/api/%2e%2e/softwareplant-bigpicture/1.0/box',
    '/rest/api/%2E%2E/softwareplant-bigpicture/1.0/box',
    '/rest/api/.%2e/softwareplant-bigpicture/1.0/box',
    '/rest/%2E/softwareplant-bigpicture/1.0/box',
    '/rest/./softwareplant-bigpicture/1.0/box',
    '/./rest/api/2/myself',
    '/rest/softwareplant-bigpicture/1.0/box/.',
    '/rest/softwareplant-bigpicture/1.0/..',
    '/rest/softwareplant-bigpicture/..;/..;/rest/api/2/myself',
    '/rest/api/..;x=1/softwareplant-bigpicture/1.0/box',
    '/rest/api/.;/2/myself',
    '/rest\\softwareplant-bigpicture/1.0/box',
    '/rest%5csoftwareplant-bigpicture/1.0/box',
    '/rest/%5C..%5C/api',
    '/rest/softwareplant-bigpicture\\..\\..\\rest/api/2/myself',
    '/rest/softwareplant-bigpicture/1.0/box%00',
    '/rest/softwareplant-bigpicture/1.0/box\0',
    '/rest/api/2/myself%',
    '/rest/api/2/my%zzself',
    '/rest/api/2/my%2',
    '/rest/api/%e0%80',
    '/rest/api/%c0%ae%c0%ae/x',
    '/_proxy/%zz',
    '/_proxy/../rest/softwareplant-bigpicture/1.0/box'
  ]
  for (const url of invalid) t.equal(classify(url), INVALID_ROUTE, JSON.stringify(url))
})

t.test('an app list of one, and an app name that is a prefix of another', async (t) => {
  const only = createRouteClassifier(['softwareplant-bigpicture'])
  t.same(only('/rest/softwareplant-biggantt/1.0/x'), JIRA_ROUTE)
  t.same(only('/rest/softwareplant-bigpicture/1.0/x'), BP)
  const prefixed = createRouteClassifier(['app', 'app-two'])
  t.same(prefixed('/rest/app-two/x'), { family: 'bigpicture', app: 1 })
  t.same(prefixed('/rest/app/x'), { family: 'bigpicture', app: 0 })
})

t.test('normalizePath', async (t) => {
  const cases: Array<[string, string | undefined]> = [
    ['/a/b', '/a/b'],
    ['/a%20b', '/a b'],
    ['/a%2fb', '/a/b'],
    ['/a;p=1/b;q', '/a/b'],
    ['/a%3bp/b', '/a;p/b'],
    ['//a///b', '/a/b'],
    ['/a/%2e/b', undefined],
    ['/a/b/..', undefined],
    ['/a\\b', undefined],
    ['/a%00', undefined],
    ['/%', undefined]
  ]
  for (const [input, expected] of cases) t.equal(normalizePath(input), expected, input)
})

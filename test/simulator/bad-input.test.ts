import { connect } from 'node:net'
import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'
import { login } from './_client.js'

/** Sends raw bytes and returns the status line of the answer. */
function rawStatus (port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (data: string) => {
      answer += data
      if (answer.includes('\r\n')) {
        socket.destroy()
        resolve(answer.slice(0, answer.indexOf('\r\n')))
      }
    })
    socket.on('error', reject)
    socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''))
  })
}

t.test('malformed input gets an answer and never brings the simulator down', async (t) => {
  const sim = await startSimulator(t, { contextPath: '/jira' })
  const id = await login(sim, 'alice', 'alice-secret')
  const myself = `${sim.url}/rest/api/2/myself`

  const cookies = ['JSESSIONID', 'JSESSIONID=', '=;;=; ;', 'JSESSIONID="unterminated', `JSESSIONID=%ZZ; JSESSIONID=${id}`]
  for (const cookie of cookies) {
    const res = await fetch(myself, { headers: { cookie } })
    t.ok(res.status === 200 || res.status === 401, `cookie ${cookie} -> ${res.status}`)
  }
  t.equal((await fetch(myself, { headers: { cookie: `JSESSIONID=%ZZ; JSESSIONID=${id}` } })).status, 200, 'a later valid cookie is found')

  for (const authorization of ['Basic ###', 'Basic', 'Bearer', 'Digest abc', 'Basic ' + 'A'.repeat(4000)]) {
    const res = await fetch(myself, { headers: { authorization } })
    t.equal(res.status, 401, authorization.slice(0, 20))
  }

  t.equal(await rawStatus(sim.port, 'GET /jira/rest/%E0%A4%A/x HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 400 Bad Request')
  t.equal(await rawStatus(sim.port, 'GET /jira/rest/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 400 Bad Request', 'an encoded slash')
  t.equal(await rawStatus(sim.port, `GET /jira/rest/api/2/myself HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70000)}\r\n\r\n`), 'HTTP/1.1 431 Request Header Fields Too Large')
  t.match(await rawStatus(sim.port, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400/)
  t.equal(await rawStatus(sim.port, 'GET http://elsewhere.example/jira/rest/api/2/myself HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 401 Unauthorized', 'absolute form is read for its path only')
  t.equal(await rawStatus(sim.port, `GET /jira//rest/api/2//myself;jsessionid=x HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=${id}\r\n\r\n`), 'HTTP/1.1 200 OK', 'repeated slashes merge and path parameters drop, as in Tomcat')
  t.equal(await rawStatus(sim.port, 'GET //elsewhere/jira/rest/api/2/myself HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 404 Not Found', 'a leading // is a path, not a host')
  t.equal(await rawStatus(sim.port, 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 404 Not Found')
  t.equal(await rawStatus(sim.port, 'GET /jira/rest/x/../api/2/myself HTTP/1.1\r\nHost: x\r\n\r\n'), 'HTTP/1.1 401 Unauthorized', 'dot segments are resolved')

  const task = await fetch(`${sim.url}/rest/softwareplant-bigpicture/1.0/box/1/task`, { method: 'POST', headers: { cookie: `JSESSIONID=${id}`, authorization: 'a.b' }, body: '{}' })
  t.equal(task.status, 401)

  t.equal((await fetch(myself, { headers: { cookie: `JSESSIONID=${id}` } })).status, 200, 'still serving')
})

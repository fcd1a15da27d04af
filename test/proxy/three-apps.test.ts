import t from 'tap'
import { BP, GANTT, TEMPLATE, call } from '../helpers/clients.js'
import { cookieSession } from '../helpers/session.js'

t.test('BigPicture, BigGantt and BigTemplate each get their own token pair', async (t) => {
  const { sim, proxy, cookie } = await cookieSession(t)
  for (let round = 0; round < 2; round++) {
    for (const root of [BP, GANTT, TEMPLATE]) {
      const res = await call(`${proxy.url}${root}/box`, { headers: { cookie } })
      t.equal(res.status, 200, `${root} round ${round}`)
    }
  }
  t.equal(sim.stats.calls.auth, 3, 'one system/auth per app, then cached')
  t.equal(sim.stats.rejectedTokens, 0, 'no app ever got another app\'s token')
})

t.test('BIGPICTURE_APPS limits which roots get tokens', async (t) => {
  const { proxy, cookie } = await cookieSession(t, {}, { BIGPICTURE_APPS: 'softwareplant-bigpicture' })
  t.equal((await call(`${proxy.url}${BP}/box`, { headers: { cookie } })).status, 200)
  t.equal((await call(`${proxy.url}${GANTT}/box`, { headers: { cookie } })).status, 401, 'BigGantt is passed through without a token')
})

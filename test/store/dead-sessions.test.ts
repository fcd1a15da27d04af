import t from 'tap'
import { sleep } from '../helpers/clients.js'
import { forEachStore } from './_stores.js'

// A caller's Jira session found dead is remembered, by every replica, for as long as asked.

t.test('a dead session is known to every replica until its mark expires', async (t) => {
  forEachStore(t, async (t, store, another) => {
    t.equal(await another.deadSessions.isDead('session-a'), false)
    await store.deadSessions.mark('session-a', 80)
    t.equal(await another.deadSessions.isDead('session-a'), true)
    t.equal(await another.deadSessions.isDead('session-b'), false, 'only that session')
    let forgotten = false
    for (let i = 0; i < 100 && !forgotten; i++) {
      await sleep(20)
      forgotten = await another.deadSessions.isDead('session-a') === false
    }
    t.ok(forgotten, 'forgotten after the ttl')
  })
})

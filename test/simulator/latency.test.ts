import t from 'tap'
import { startSimulator } from '../helpers/simulator.js'

t.test('setLatency delays every answer', async (t) => {
  const sim = await startSimulator(t)
  const timed = async (): Promise<number> => {
    const started = performance.now()
    await (await fetch(`${sim.url}/rest/api/2/myself`)).arrayBuffer()
    return performance.now() - started
  }
  sim.control.setLatency(250)
  t.ok(await timed() >= 240, 'delayed')
  sim.control.setLatency(0)
  t.ok(await timed() < 200, 'prompt again')
})

t.test('the Date header reflects the moment of the answer, after the delay', async (t) => {
  const sim = await startSimulator(t)
  sim.control.setLatency(1100)
  const asked = Date.now()
  const res = await fetch(`${sim.url}/rest/api/2/myself`)
  const date = Date.parse(res.headers.get('date') ?? '')
  t.ok(date >= Math.floor(asked / 1000) * 1000 + 1000, 'Date is after the latency')
})

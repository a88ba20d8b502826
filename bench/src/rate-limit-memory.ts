// The rate limit's memory with a million distinct senders in one window: errors() with
// `rateLimit: { max: 2 }` (its default maxSenders, 10,000) on a mocked component, every IQ from
// a sender never seen before, as a federated domain that names its own localparts can send.
// Prints the heap after GC at each step and what the limit counted.
//
//   corepack pnpm bench:rate-limit            # 1,000,000 senders
//   SENDERS=100000 corepack pnpm bench:rate-limit
import { xml } from '@xmpp/component'
import { errors } from '@xmpp-errors/middleware'
import { collectGarbage, DOMAIN, mockComponent, NS, noopLogger } from './inprocess.js'

const total = Number(process.env.SENDERS ?? 1_000_000)
const steps = [10_000, 100_000, total].filter((step) => step <= total)
const BATCH = 1_000

const c = mockComponent()
const middleware = errors({ logger: noopLogger, rateLimit: { max: 2, windowMs: 3_600_000 } })
c.middleware.use(middleware)
c.iqCallee.get(NS, 'query', () => {
  throw new Error('no such thing')
})
let sent = 0
c.on('send', () => {
  sent++
})

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve))
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)

async function feed(from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += BATCH) {
    for (let j = i; j < Math.min(i + BATCH, to); j++) {
      c.emit(
        'element',
        xml(
          'iq',
          { type: 'get', id: `r${j}`, from: `s${j}@flood.example/r`, to: DOMAIN },
          xml('query', { xmlns: NS }),
        ),
      )
    }
    // Let each batch's replies go out before the next: the heap holds the limit, not a backlog.
    for (let k = 0; k < 3; k++) await immediate()
  }
}

if (!collectGarbage()) console.log('run with --expose-gc: without it the heap figures mean little')
// Warm-up with one sender, so that the baseline holds the chain's code and first allocations.
await feed(0, 1)
collectGarbage()
const baseline = process.memoryUsage().heapUsed
console.log(`senders     heap (MB)  above baseline (MB)  counted  replies sent`)
let done = 1
for (const step of steps) {
  await feed(done, step)
  done = step
  collectGarbage()
  const heap = process.memoryUsage().heapUsed
  console.log(
    `${String(step).padStart(9)}  ${mb(heap).padStart(9)}  ${mb(heap - baseline).padStart(19)}  ${String(
      middleware.rateLimit?.senders,
    ).padStart(7)}  ${String(sent).padStart(12)}`,
  )
}

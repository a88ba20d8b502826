import { chain, collectGarbage, pump } from './inprocess.js'

/**
 * Spawned by memory.ts: `n` item-not-found errors through errors() with its default logger,
 * which writes one JSON line per error to this process's stderr, whatever the parent made
 * of it (/dev/null, a pipe it reads, a pipe it does not read yet). Prints what it measured as
 * one JSON line on stdout, then exits once stderr has been written out.
 */
export interface ChildReport {
  handled: number
  /** Most bytes waiting in process.stderr's buffer, sampled between batches. */
  maxBuffered: number
  /** Still waiting when the last error was handled. */
  buffered: number
  /** heapUsed + external after GC, end minus start, bytes. */
  memoryGrowth: number
  /** CPU seconds for the `n` errors. */
  seconds: number
}

const n = Number(process.argv[2] ?? 10_000)
const BATCH = 100
const entity = chain({ errors: true, depth: 1, route: 'throw', logger: 'default' })
const memory = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.external
}
// Warm up first, so that compiled code and caches do not count as growth.
await pump(entity, 200)
await new Promise((resolve) => setImmediate(resolve))
collectGarbage()
const before = memory()
let maxBuffered = 0
const cpu = process.cpuUsage()
for (let handled = 0; handled < n; handled += BATCH) {
  await pump(entity, Math.min(BATCH, n - handled))
  maxBuffered = Math.max(maxBuffered, process.stderr.writableLength)
  // Stanzas arrive in separate turns of the event loop, which is when libuv writes a pipe.
  await new Promise((resolve) => setImmediate(resolve))
}
const used = process.cpuUsage(cpu)
const buffered = process.stderr.writableLength
collectGarbage()
const report: ChildReport = {
  handled: n,
  maxBuffered: Math.max(maxBuffered, buffered),
  buffered,
  memoryGrowth: memory() - before,
  seconds: (used.user + used.system) / 1e6,
}
process.stdout.write(`${JSON.stringify(report)}\n`)

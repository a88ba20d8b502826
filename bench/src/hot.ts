import { parseArgs } from 'node:util'
import { pinoToDevNull } from './dispatch.js'
import { chain, pump, type Route } from './inprocess.js'

/**
 * Runs one variant of the in-process benchmarks alone for a while, for a CPU profile that is
 * not diluted by the other variants:
 *
 *   node --cpu-prof --cpu-prof-dir=bench/.bench-tmp bench/dist/hot.js --variant throw
 *   node bench/dist/profile.js bench/.bench-tmp/CPU.*.cpuprofile
 *
 * With `--n N`, a warm-up and then exactly N stanzas, for instruction counts: under
 * `valgrind --tool=cachegrind --cache-sim=no`, two runs (`--n 10000` and `--n 30000`) differ by
 * the instructions of 20,000 stanzas, which no neighbour on the machine can disturb.
 */
const VARIANTS: Record<
  string,
  { errors: boolean | 'minimal' | 'limit'; route: Route; extra?: number; noStack?: boolean }
> = {
  without: { errors: false, route: 'result' },
  with: { errors: true, route: 'result' },
  'pass-through': { errors: false, route: 'result', extra: 1 },
  'hand-built': { errors: false, route: 'hand-built' },
  throw: { errors: true, route: 'throw' },
  'throw once': { errors: true, route: 'throw once' },
  // P2's floor: a plain Error without a stack, caught by the least a catcher can do.
  floor: { errors: 'minimal', route: 'throw Error', noStack: true },
  'throw with stack': { errors: true, route: 'throw with stack' },
  // P2-user and P2-limit's other sides (with --logger sync or async).
  'user catch': { errors: false, route: 'user catch' },
  'floor + line': { errors: 'limit', route: 'throw Error', noStack: true },
}

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'throw' },
    depth: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '5' },
    'no-stack': { type: 'boolean', default: false },
    n: { type: 'string' },
    warmup: { type: 'string', default: '20000' },
    logger: { type: 'string', default: 'no-op' },
  },
})
const mode = values.logger
if (mode !== 'no-op' && mode !== 'sync' && mode !== 'async') {
  throw new Error('--logger is no-op, sync or async (pino to /dev/null)')
}
const spec = VARIANTS[values.variant]
if (!spec) throw new Error(`--variant is one of ${Object.keys(VARIANTS).join(', ')}`)
if (values['no-stack'] || spec.noStack) Error.stackTraceLimit = 0
const entity = chain({
  errors: spec.errors,
  depth: Number(values.depth) + (spec.extra ?? 0),
  route: spec.route,
  ...(mode === 'no-op' ? {} : { logger: pinoToDevNull(mode) }),
})
if (values.n !== undefined) {
  await pump(entity, Number(values.warmup))
  await pump(entity, Number(values.n))
  process.exit(0)
}
const until = Date.now() + Number(values.seconds) * 1000
let handled = 0
while (Date.now() < until) {
  await pump(entity, 10_000)
  handled += 10_000
}
console.log(`${values.variant}: ${handled} stanzas in ${values.seconds} s`)

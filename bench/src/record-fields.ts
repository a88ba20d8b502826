import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { compare } from './compare.js'
import { lineBytes, type Shape, shapes } from './record-shapes.js'
import { summarize } from './stats.js'

/**
 * What pino pays for each field of the record: the common record (item-not-found on an iq get,
 * with text) as errors() hands it to the logger, and the same line without one field at a time,
 * each written by a real pino to /dev/null. Two modes:
 *
 *   node bench/dist/record-fields.js                       alternated rounds, ns per line
 *   node bench/dist/record-fields.js --shape xmpp.title --n 20000   one shape, for valgrind
 *
 * Under `valgrind --tool=cachegrind --cache-sim=no`, the difference of two runs (`--n` 20,000
 * and 60,000) divided by 40,000 is the instructions per line, which no neighbour can disturb.
 */

const { values } = parseArgs({
  options: {
    shape: { type: 'string' },
    n: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '15' },
    list: { type: 'boolean', default: false },
    warmup: { type: 'string', default: '20000' },
  },
})

const all = await shapes()
const log = pino({}, pino.destination({ dest: '/dev/null', sync: true }))
const write = (shape: Shape, n: number) => {
  for (let i = 0; i < n; i++) log.warn(shape.fields, shape.msg)
}

if (values.list) {
  for (const [name, shape] of Object.entries(all)) console.log(`${lineBytes(shape)} B  ${name}`)
} else if (values.shape !== undefined) {
  const shape = all[values.shape]
  if (!shape) throw new Error(`--shape is one of: ${Object.keys(all).join('; ')}`)
  write(shape, Number(values.warmup)) // optimised before the counted part
  write(shape, Number(values.n))
} else {
  const n = Number(values.n)
  const t = await compare(
    Object.entries(all).map(([label, shape]) => ({
      label,
      run: async (count: number) => write(shape, count),
    })),
    { rounds: Number(values.rounds), warmup: 2, perRound: n },
  )
  // What a field costs: the line with it, less the line without it, in the same rounds.
  const ns = (label: string) => 1e9 / summarize(t[label] ?? []).median
  for (const [label, shape] of Object.entries(all)) {
    const whole = label.startsWith('before without') ? 'before' : 'after, as a plain object'
    const cost = label.includes(' without ') ? `${(ns(whole) - ns(label)).toFixed(0)} ns` : ''
    console.log(
      `${String(lineBytes(shape)).padStart(4)} B  ${ns(label).toFixed(0).padStart(6)} ns  ${cost.padStart(8)}  ${label}`,
    )
  }
}

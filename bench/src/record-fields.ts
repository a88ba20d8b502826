import { parseArgs } from 'node:util'
import { errors, StanzaError } from '@xmpp-errors/middleware'
import { pino } from 'pino'
import { compare } from './compare.js'
import { mockComponent, NS, pump, request } from './inprocess.js'
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

/** The common record, captured from errors()'s onError (a real record, not a copy by hand). */
async function commonRecord(): Promise<object & { msg: string }> {
  let captured: (object & { msg: string }) | undefined
  const entity = mockComponent()
  entity.middleware.use(
    errors({
      logger: { debug() {}, warn() {}, error() {} },
      onError: (record) => {
        captured = record
      },
    }),
  )
  entity.iqCallee.get(NS, 'query', () => {
    throw new StanzaError('item-not-found', { text: 'no such item' })
  })
  await pump(entity, 1, 1, request)
  if (!captured) throw new Error('errors() recorded nothing')
  return captured
}

type Shape = { fields: Record<string, unknown>; msg: string }
type Record_ = object & { msg: string; xmpp: object; stanza: object }

/** An object's enumerable fields, as JSON has them (undefined left out), in a plain object. */
function plain(fields: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fields)) as Record<string, unknown>
}

/**
 * The line errors() wrote before the record was decided field by field: the condition's
 * metadata and the stanza's summary nested, then text, exposed, correlationId and action.
 */
function before(record: Record_ & Record<string, unknown>): Shape {
  const { xmpp, stanza, text, exposed, correlationId, action } = record
  return { fields: plain({ xmpp, stanza, text, exposed, correlationId, action }), msg: record.msg }
}

/** `shape` without the field at `path` (`stanza.to`, `exposed`, …). */
function without(shape: Shape, path: string): Shape {
  const fields = structuredClone(shape.fields)
  const [head, tail] = path.split('.') as [string, string | undefined]
  if (tail === undefined) delete fields[head]
  else delete (fields[head] as Record<string, unknown>)[tail]
  return { fields, msg: path === 'msg' ? '' : shape.msg }
}

/** Every field path of a line, nested ones as `parent.child`, and `msg`. */
function paths(fields: Record<string, unknown>): string[] {
  const out: string[] = []
  for (const [key, value] of Object.entries(fields)) {
    out.push(key)
    if (typeof value === 'object' && value !== null) {
      for (const child of Object.keys(value)) out.push(`${key}.${child}`)
    }
  }
  return [...out, 'msg']
}

export async function shapes(): Promise<Record<string, Shape>> {
  const record = (await commonRecord()) as Record_ & Record<string, unknown>
  const old = before(record)
  const now: Shape = { fields: plain(record), msg: record.msg }
  const out: Record<string, Shape> = {
    'nothing (pino alone, empty message)': { fields: {}, msg: '' },
    before: old,
    after: { fields: record as never, msg: record.msg },
    'after, as a plain object': now,
  }
  for (const path of paths(old.fields)) out[`before without ${path}`] = without(old, path)
  for (const path of paths(now.fields)) out[`after without ${path}`] = without(now, path)
  return out
}

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
const bytes = (shape: Shape) => {
  let line = ''
  const probe = pino({ timestamp: () => ',"time":1795614178161' }, {
    write(s: string) {
      line = s
    },
  } as never)
  probe.warn(shape.fields, shape.msg)
  return Buffer.byteLength(line)
}

if (values.list) {
  for (const [name, shape] of Object.entries(all)) console.log(`${bytes(shape)} B  ${name}`)
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
      `${String(bytes(shape)).padStart(4)} B  ${ns(label).toFixed(0).padStart(6)} ns  ${cost.padStart(8)}  ${label}`,
    )
  }
}

import { errors, StanzaError } from '@xmpp-errors/middleware'
import { pino } from 'pino'
import { mockComponent, NS, pump, request } from './inprocess.js'

// The common record (item-not-found on an iq get, with text) as errors() hands it to the logger,
// the line it was before it was made flat, and either without one field at a time: the shapes
// that record-fields.ts times and the bench table sizes.

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

export type Shape = { fields: Record<string, unknown>; msg: string }
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

/** The bytes of the line pino writes for `shape`, its `time` fixed, `pid` and `hostname` its own. */
export function lineBytes(shape: Shape): number {
  let line = ''
  const probe = pino({ timestamp: () => ',"time":1795614178161' }, {
    write(s: string) {
      line = s
    },
  } as never)
  probe.warn(shape.fields, shape.msg)
  return Buffer.byteLength(line)
}

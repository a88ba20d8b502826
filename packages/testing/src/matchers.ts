import type { ErrorType, StanzaCondition, StreamCondition } from '@xmpp-errors/conditions'
import { StanzaError, type XmlElement } from '@xmpp-errors/errors'
import type { ErrorRecord } from '@xmpp-errors/middleware'
import { describeRecords, type Exchange, type StreamClose } from './entity.js'

// The assertions, written once for any `expect` that takes `expect.extend` (Vitest's and
// Jest's): each returns `{ pass, message }`, and a message shows the XML and the records.

export interface ErrorReplyExpectation {
  type?: ErrorType
  /** The `<text/>`: equal to a string, or matching a RegExp. */
  text?: string | RegExp
  by?: string
  /** The name of the application-specific condition element. */
  application?: string
}

export interface StreamCloseExpectation {
  text?: string | RegExp
  /** Who closed it. */
  by?: StreamClose['by']
  /** What followed. */
  after?: 'reconnect' | 'stop'
}

export interface RecordExpectation {
  condition?: StanzaCondition | StreamCondition
  kind?: ErrorRecord['xmpp']['kind']
  type?: ErrorType
  level?: ErrorRecord['level']
  action?: ErrorRecord['action']
  reason?: NonNullable<ErrorRecord['reason']>
  text?: string | RegExp
  /** Exactly this many records match. Default: at least one. */
  times?: number
}

/** What the matchers add to `expect(…)`. */
export interface TestingMatchers<R = unknown> {
  /** An error reply (a stanza, or an exchange with exactly one stanza written) with this condition. */
  toBeErrorReply(condition: StanzaCondition, expected?: ErrorReplyExpectation): R
  /** An exchange or a test entity that saw a stream closed with a `<stream:error/>`. */
  toHaveClosedStream(condition?: StreamCondition, expected?: StreamCloseExpectation): R
  /** An exchange, a test entity or a list of records with a record like `expected`. */
  toHaveRecorded(expected: RecordExpectation): R
}

export interface MatcherResult {
  pass: boolean
  message: () => string
}

interface MatcherState {
  isNot?: boolean
}

const STANZAS = new Set(['iq', 'message', 'presence'])

function textMatches(actual: string | undefined, expected: string | RegExp): boolean {
  if (actual === undefined) return false
  return typeof expected === 'string' ? actual === expected : expected.test(actual)
}

function hasOwn<T extends object>(value: unknown, key: keyof T): value is T {
  return typeof value === 'object' && value !== null && key in value
}

function recordsOf(received: unknown): readonly ErrorRecord[] | undefined {
  if (Array.isArray(received)) return received as ErrorRecord[]
  if (hasOwn<{ records: readonly ErrorRecord[] }>(received, 'records')) return received.records
  return undefined
}

function result(state: MatcherState, pass: boolean, what: string, shown: string[]): MatcherResult {
  return {
    pass,
    message: () => [`expected ${state.isNot ? 'not ' : ''}${what}`, ...shown].join('\n'),
  }
}

function toBeErrorReply(
  this: MatcherState,
  received: XmlElement | Exchange,
  condition: StanzaCondition,
  expected: ErrorReplyExpectation = {},
): MatcherResult {
  const what = `an error reply ${condition}${JSON.stringify(expected) === '{}' ? '' : ` with ${show(expected)}`}`
  let reply: XmlElement | undefined
  let records: readonly ErrorRecord[] = []
  if (hasOwn<Exchange>(received, 'elements')) {
    const stanzas = received.elements.filter((el) => STANZAS.has(el.name))
    records = received.records
    if (stanzas.length !== 1) {
      return result(this, false, what, [
        `but ${stanzas.length} stanzas were written:`,
        ...received.written.map((s) => `  ${s}`),
        ...describeRecords(records),
      ])
    }
    reply = stanzas[0]
  } else {
    reply = received
  }
  if (reply === undefined || typeof reply !== 'object' || typeof reply.toString !== 'function') {
    return result(this, false, what, [`but got ${String(reply)}`])
  }
  const shown = [`reply: ${reply.toString()}`, ...describeRecords(records)]
  if (reply.attrs.type !== 'error' || !STANZAS.has(reply.name)) {
    return result(this, false, what, ['but it is no error reply', ...shown])
  }
  const error = StanzaError.fromElement(reply)
  const problems: string[] = []
  if (error.condition !== condition)
    problems.push(`condition is ${error.originalCondition ?? error.condition}`)
  if (expected.type !== undefined && error.type !== expected.type)
    problems.push(`type is ${error.type}`)
  if (expected.text !== undefined && !textMatches(error.text, expected.text)) {
    problems.push(`text is ${JSON.stringify(error.text)}`)
  }
  if (expected.by !== undefined && error.by !== expected.by) problems.push(`by is ${error.by}`)
  if (expected.application !== undefined && error.application?.name !== expected.application) {
    problems.push(`application condition is ${error.application?.name}`)
  }
  return result(this, problems.length === 0, what, [
    ...(problems.length > 0 ? [`but its ${problems.join(', ')}`] : []),
    ...shown,
  ])
}

function toHaveClosedStream(
  this: MatcherState,
  received: Exchange | { closes: readonly StreamClose[]; records: readonly ErrorRecord[] },
  condition?: StreamCondition,
  expected: StreamCloseExpectation = {},
): MatcherResult {
  const what = `a stream closed${condition ? ` with ${condition}` : ''}${JSON.stringify(expected) === '{}' ? '' : ` ${show(expected)}`}`
  const closes = hasOwn<{ closes: readonly StreamClose[] }>(received, 'closes')
    ? received.closes
    : []
  const pass = closes.some(
    (close) =>
      (condition === undefined || close.condition === condition) &&
      (expected.by === undefined || close.by === expected.by) &&
      (expected.after === undefined || close.after === expected.after) &&
      (expected.text === undefined || textMatches(close.text, expected.text)),
  )
  return result(this, pass, what, [
    closes.length === 0 ? 'closes: none' : 'closes:',
    ...closes.map(
      (c) =>
        `  by ${c.by}: ${c.element.toString()}${c.after ? `, then ${c.after}` : ', nothing followed yet'}`,
    ),
    ...describeRecords(recordsOf(received) ?? []),
  ])
}

function toHaveRecorded(
  this: MatcherState,
  received: Exchange | readonly ErrorRecord[] | { records: readonly ErrorRecord[] },
  expected: RecordExpectation,
): MatcherResult {
  const records = recordsOf(received) ?? []
  const { times, ...fields } = expected
  const matching = records.filter(
    (r) =>
      (fields.condition === undefined || r.xmpp.condition === fields.condition) &&
      (fields.kind === undefined || r.xmpp.kind === fields.kind) &&
      (fields.type === undefined || r.xmpp.type === fields.type) &&
      (fields.level === undefined || r.level === fields.level) &&
      (fields.action === undefined || r.action === fields.action) &&
      (fields.reason === undefined || r.reason === fields.reason) &&
      (fields.text === undefined || textMatches(r.text, fields.text)),
  )
  const pass = times === undefined ? matching.length > 0 : matching.length === times
  const count = times === undefined ? 'a record' : `${times} record${times === 1 ? '' : 's'}`
  return result(this, pass, `${count} like ${show(fields)}`, [
    `found ${matching.length}`,
    ...describeRecords(records),
  ])
}

function show(value: object): string {
  return `{ ${Object.entries(value)
    .map(([k, v]) => `${k}: ${v instanceof RegExp ? String(v) : JSON.stringify(v)}`)
    .join(', ')} }`
}

/** For `expect.extend(matchers)`; `@xmpp-errors/testing/vitest` and `/jest` do that for you. */
export const matchers = { toBeErrorReply, toHaveClosedStream, toHaveRecorded }

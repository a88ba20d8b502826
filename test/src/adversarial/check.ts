// Holds what the component wrote for one case against the oracle, and counts what the suite
// reports: every written string well-formed XML 1.0 (../xml-checks.ts), no internals in it, the
// condition, type, text, `by`, addresses and echo the oracle expects, one record per handled error.
import type { Element } from '@xmpp/xml'
import {
  isAllowedType,
  isStanzaCondition,
  isStreamCondition,
  NS_STANZAS,
  NS_STREAMS,
} from '@xmpp-errors/conditions'
import { MAX_TEXT_LENGTH } from '@xmpp-errors/errors'
import {
  type ErrorRecord,
  isStanzaError,
  isStreamError,
  StanzaError,
  StreamError,
} from '@xmpp-errors/middleware'
import { parseStrict, type StreamClose } from '@xmpp-errors/testing'
import fc from 'fast-check'
import { type Config, DOMAIN, MB } from './arbitraries.js'
import type { Prepared } from './cases.js'
import {
  type ByRule,
  type ErrorReplyExpected,
  type Expected,
  expectedOutcome,
  expectedRecords,
  type TextRule,
} from './oracle.js'

/** What must never reach the peer: the SECRET marker, paths, stack frames, internal messages. */
const LEAKS = [
  'SECRET',
  '/work/',
  'node_modules',
  'node:internal',
  'file://',
  '    at ',
  'is not a function',
  'Cannot read propert',
  'errors() failed',
  'Invalid domain',
  'StanzaError:',
  'StreamError:',
  'map down',
  'logger down',
  'metrics down',
]

export interface Totals {
  cases: number
  crashes: number
  iqQueries: number
  iqAnsweredOnce: number
  iqClosed: number
  errorOrResult: number
  repliesToErrorOrResult: number
  replies: number
  streamErrors: number
  leaks: number
  invalidXml: number
  hugeTexts: number
  /** IQs with a malformed from under malformedFrom: 'drop': there is no one to answer. */
  iqUnaddressable: number
  /** Longest reply errors() or guard() wrote, and longest bad-request xmpp.js wrote itself. */
  maxReplyLength: number
  maxXmppJsReplyLength: number
  /** Longest reply of errors()'s own-defect fallback (see the fixed defects in the suite). */
  maxFallbackReplyLength: number
}

/** What the suite counts over all its cases. */
export interface Tally {
  totals: Totals
  /** Which conditions (and, for stanza errors, types) were thrown as real errors. */
  covered: { stanza: Set<string>; stream: Set<string> }
  /** The case behind the longest reply of errors() or guard(). */
  longest: string
}

export function tally(): Tally {
  return {
    totals: {
      cases: 0,
      crashes: 0,
      iqQueries: 0,
      iqAnsweredOnce: 0,
      iqClosed: 0,
      errorOrResult: 0,
      repliesToErrorOrResult: 0,
      replies: 0,
      streamErrors: 0,
      leaks: 0,
      invalidXml: 0,
      hugeTexts: 0,
      iqUnaddressable: 0,
      maxReplyLength: 0,
      maxXmppJsReplyLength: 0,
      maxFallbackReplyLength: 0,
    },
    covered: { stanza: new Set(), stream: new Set() },
    longest: '',
  }
}

function conditionOf(error: Element, ns: string): Element[] {
  return error.getChildElements().filter((c) => c.getNS() === ns && c.name !== 'text')
}

function checkText(text: string | undefined, rule: TextRule): void {
  if (rule !== 'any' && text !== rule.is) {
    throw new Error(`text ${JSON.stringify(text)}, expected ${JSON.stringify(rule.is)}`)
  }
  if (text !== undefined && text.length > MAX_TEXT_LENGTH) throw new Error('text over the cap')
}

/** The forms `by` may take for the entity a request was sent to: its bare address, its domain. */
function addresseeForms(to: string): string[] {
  const bare = to.split('/')[0] ?? to
  return [bare, bare.slice(bare.indexOf('@') + 1)]
}

function checkBy(by: string | undefined, rule: ByRule, to: string | undefined): void {
  if (rule === 'any') return
  if (rule === 'addressee') {
    if (by === undefined || to === undefined || !addresseeForms(to).includes(by)) {
      throw new Error(`by ${JSON.stringify(by)} does not name the addressee ${to}`)
    }
  } else if (by !== rule.is) {
    throw new Error(`by ${JSON.stringify(by)}, expected ${JSON.stringify(rule.is)}`)
  }
}

function checkStreamError(el: Element, expected: Expected & { kind: 'close' }) {
  if (el.name !== 'stream:error') throw new Error(`expected <stream:error/>, got <${el.name}/>`)
  const [condition, ...more] = conditionOf(el, NS_STREAMS)
  if (!condition || more.length > 0) throw new Error('a stream error needs exactly one condition')
  if (!isStreamCondition(condition.name)) throw new Error(`unknown condition ${condition.name}`)
  if (condition.name !== expected.condition) {
    throw new Error(`stream condition ${condition.name}, expected ${expected.condition}`)
  }
  checkText(el.getChild('text', NS_STREAMS)?.text(), expected.text)
}

function checkReply(el: Element, p: Prepared, expected: Expected, config: Config) {
  if (expected.kind !== 'reply') throw new Error(`a reply where ${expected.kind} was expected`)
  const spec = p.c.stanza
  if (el.name !== spec.name) throw new Error(`reply is <${el.name}/> to <${spec.name}/>`)
  if (el.attrs.type !== expected.type) {
    throw new Error(`reply type ${el.attrs.type}, expected ${expected.type}`)
  }
  const id = p.stanza.attrs.id
  if ((el.attrs.id || undefined) !== (id || undefined)) throw new Error(`reply id ${el.attrs.id}`)
  if (spec.from !== undefined && el.attrs.to !== spec.from) throw new Error('reply to ≠ from')
  const from = expected.answerer === 'component' ? DOMAIN : (spec.to ?? DOMAIN)
  if (el.attrs.from !== from) throw new Error(`reply from ${el.attrs.from}, expected ${from}`)
  if (expected.type === 'result') return
  checkErrorReply(el, p, expected, config)
}

function checkErrorReply(el: Element, p: Prepared, expected: ErrorReplyExpected, config: Config) {
  const spec = p.c.stanza
  const errorElements = el.getChildren('error')
  const [error] = errorElements
  if (!error || errorElements.length !== 1) throw new Error('an error reply needs one <error/>')
  const [condition, ...more] = conditionOf(error, NS_STANZAS)
  if (!condition || more.length > 0) throw new Error('a stanza error needs exactly one condition')
  if (!isStanzaCondition(condition.name)) throw new Error(`unknown condition ${condition.name}`)
  const type = error.attrs.type
  if (!isAllowedType(condition.name, type)) {
    throw new Error(`type ${type} not allowed for ${condition.name}`)
  }
  if (condition.name !== expected.condition) {
    throw new Error(`condition ${condition.name}, expected ${expected.condition}`)
  }
  if (type !== expected.errorType) throw new Error(`type ${type}, expected ${expected.errorType}`)
  checkText(error.getChild('text', NS_STANZAS)?.text(), expected.text)
  checkBy(error.attrs.by, expected.by, spec.to)
  // xmpp.js's own bad-request echoes the request's first child whatever errors() is told.
  if (expected.answerer === 'xmpp.js') return
  // Echo: never more than echo.maxLength of payload (IQ payloads may be left as an empty shell).
  const maxLength = config.echo.maxLength ?? 4096
  for (const child of el.getChildElements()) {
    if (child.name === 'error') continue
    const emptyShell = child.children.length === 0 && Object.keys(child.attrs).length <= 1
    if (!emptyShell && child.toString().length > maxLength) throw new Error('echo over the cap')
    if (spec.kind === 'message' && config.echo.message !== true && !emptyShell) {
      throw new Error('echoed a message body with echo.message off')
    }
  }
}

/** Checks what one case wrote (in order), the streams it closed and the records; throws if wrong. */
export function check(
  t: Tally,
  p: Prepared,
  config: Config,
  written: readonly string[],
  closes: readonly StreamClose[],
  records: readonly ErrorRecord[],
): void {
  const { totals } = t
  const expected = expectedOutcome(p, config)
  const spec = p.c.stanza
  totals.cases++
  if (isStanzaError(p.value) && p.value instanceof StanzaError) {
    t.covered.stanza.add(`${p.value.condition}/${p.value.type}`)
  } else if (isStreamError(p.value) && p.value instanceof StreamError) {
    t.covered.stream.add(p.value.condition)
  }
  if (p.c.thrown.t !== 'none' && 'text' in p.c.thrown && p.c.thrown.text?.length === MB) {
    totals.hugeTexts++
  }
  const elements: Element[] = []
  // The footer that ends a stream closed with an error is no element.
  for (const s of written.filter((data) => data !== '</stream:stream>')) {
    if (expected.kind === 'reply' && expected.answerer === 'xmpp.js') {
      totals.maxXmppJsReplyLength = Math.max(totals.maxXmppJsReplyLength, s.length)
    } else if (expected.kind === 'reply' && expected.type === 'error' && expected.fallback) {
      totals.maxFallbackReplyLength = Math.max(totals.maxFallbackReplyLength, s.length)
    } else if (s.length > totals.maxReplyLength) {
      totals.maxReplyLength = s.length
      t.longest = describeCase(p, config)
    }
    for (const leak of LEAKS) {
      if (s.includes(leak)) {
        totals.leaks++
        throw new Error(`leaked ${JSON.stringify(leak)} in ${s.slice(0, 500)}`)
      }
    }
    try {
      elements.push(parseStrict(s))
    } catch (error) {
      totals.invalidXml++
      throw new Error(
        `invalid XML (${(error as Error).message}): ${JSON.stringify(s).slice(0, 500)}`,
      )
    }
  }
  const streamErrors = elements.filter((e) => e.name === 'stream:error')
  const replies = elements.filter((e) => e.name !== 'stream:error')
  totals.streamErrors += streamErrors.length
  totals.replies += replies.length
  const errorOrResult =
    spec.kind !== 'nonza' &&
    (spec.type === 'error' || (spec.kind === 'iq' && spec.type === 'result'))
  if (errorOrResult) {
    totals.errorOrResult++
    totals.repliesToErrorOrResult += replies.length
  }
  const iqQuery = spec.kind === 'iq' && (spec.type === 'get' || spec.type === 'set')
  if (iqQuery) totals.iqQueries++

  switch (expected.kind) {
    case 'none':
      if (elements.length > 0) throw new Error(`expected nothing, got ${written.join(' ')}`)
      if (iqQuery) totals.iqUnaddressable++
      break
    case 'close': {
      const [streamError] = streamErrors
      if (!streamError || streamErrors.length !== 1 || replies.length > 0) {
        throw new Error(`expected one <stream:error/> and no reply, got ${written.join(' ')}`)
      }
      checkStreamError(streamError, expected)
      const after = closes.map((close) => close.after).join()
      if (after !== (expected.stop ? 'stop' : 'reconnect')) throw new Error(`then ${after}`)
      if (iqQuery) totals.iqClosed++
      break
    }
    case 'reply': {
      const [reply] = replies
      if (!reply || replies.length !== 1 || streamErrors.length > 0) {
        throw new Error(`expected exactly one reply, got ${written.length}: ${written.join(' ')}`)
      }
      checkReply(reply, p, expected, config)
      if (iqQuery) totals.iqAnsweredOnce++
      break
    }
  }
  if (expected.kind !== 'close' && closes.length > 0) {
    throw new Error(`stream closed unexpectedly: ${closes.map((c) => c.condition).join()}`)
  }
  const handled = records.filter((r) => r.action !== 'observe').length
  const want = expectedRecords(p, expected)
  if (handled !== want) throw new Error(`${handled} records, expected ${want}`)
}

export function describeCase(p: Prepared, config: Config): string {
  return JSON.stringify({ case: p.c, config, stanza: p.stanza.toString().slice(0, 400) }, (_, v) =>
    typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…(${v.length})` : v,
  )
}

/**
 * fc.assert would print the whole counterexample (a hundred cases, some 1 MB long); the error a
 * property throws already names the one failing case.
 */
export async function holds<T>(property: fc.IAsyncProperty<T>, numRuns: number): Promise<void> {
  const seed = process.env.ADVERSARIAL_SEED ? Number(process.env.ADVERSARIAL_SEED) : undefined
  const details = await fc.check(property, {
    numRuns,
    endOnFailure: true,
    ...(seed === undefined ? {} : { seed }),
  })
  if (!details.failed) return
  const error = details.errorInstance
  throw new Error(
    `property failed (rerun with ADVERSARIAL_SEED=${details.seed}): ${
      error instanceof Error ? error.message : String(error)
    }`,
  )
}

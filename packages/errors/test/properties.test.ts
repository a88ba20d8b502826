import xml, { type Element } from '@xmpp/xml'
import parse from '@xmpp/xml/lib/parse.js'
import {
  type ErrorType,
  lookup,
  NS_STANZAS,
  NS_STREAMS,
  type StanzaCondition,
  type StreamCondition,
  stanzaConditions,
  streamConditions,
} from '@xmpp-errors/conditions'
import { illegalXmlChar, saxesError } from '@xmpp-errors/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_TEXT_LENGTH,
  StanzaError,
  type StanzaErrorOptions,
  StreamError,
  type StreamErrorOptions,
  type XmlElement,
} from '../src/index.js'

// ---- arbitraries -------------------------------------------------------------------------

const lang = fc.stringMatching(
  /^(?:[A-Za-z]{2,3}|[xXiI]-[A-Za-z0-9]{1,8})(?:-[A-Za-z0-9]{1,8}){0,2}$/,
)
const text = fc.string({ unit: 'binary', maxLength: 1200 })
const jid = fc
  .tuple(fc.option(fc.stringMatching(/^[a-z0-9._-]{1,12}$/), { nil: undefined }), fc.domain())
  .map(([local, domain]) => (local ? `${local}@${domain}` : domain))
// Any characters after `xmpp:`, without trailing whitespace: a parser trims character data.
const uri = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 60 })
  .map((s) => `xmpp:${s}`.trim())
const application = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/),
    fc.oneof(
      fc.stringMatching(/^[a-z0-9:.-]{1,24}$/).map((s) => `urn:x-${s}`),
      fc.webUrl(),
    ),
    fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  )
  .map(([name, ns, body]) => xml(name, { xmlns: ns }, ...(body === undefined ? [] : [body])))
const host = fc
  .oneof(
    fc.domain(),
    fc.ipV4(),
    fc.ipV6().map((ip) => `[${ip}]`),
  )
  .chain((h) =>
    fc
      .option(fc.integer({ min: 1, max: 65535 }), { nil: undefined })
      .map((port) => (port === undefined ? h : `${h}:${port}`)),
  )

const stanzaCase = fc.constantFrom(...stanzaConditions).chain((condition) => {
  const entry = lookup('stanza', condition)
  return fc.record(
    {
      condition: fc.constant(condition),
      type: fc.constantFrom(...(entry.types as readonly ErrorType[])),
      text,
      lang,
      by: fc.oneof(jid, fc.string({ unit: 'binary', maxLength: 40 })),
      uri: entry.characterData === 'xmpp-uri' ? uri : fc.constant(undefined),
      application,
      expose: fc.boolean(),
    },
    { requiredKeys: ['condition'] },
  )
})

const streamCase = fc.constantFrom(...streamConditions).chain((condition) =>
  fc.record(
    {
      condition: fc.constant(condition),
      text,
      lang,
      host: condition === 'see-other-host' ? host : fc.constant(undefined),
      application,
    },
    { requiredKeys: ['condition'] },
  ),
)

function newStanzaError({ condition, ...options }: { condition: StanzaCondition }) {
  return new StanzaError(condition, options as StanzaErrorOptions)
}
function newStreamError({ condition, ...options }: { condition: StreamCondition }) {
  return new StreamError(condition, options as StreamErrorOptions)
}

// Hostile text: markup, CDATA ends, C0 controls, non-characters, lone surrogates, astral.
const nasty = fc.constantFrom(
  '<',
  '>',
  '&',
  ']]>',
  '"',
  "'",
  '&amp;',
  '<![CDATA[',
  '\u0000',
  '\u0008',
  '\u000b',
  '\u001f',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uD83D\uDE00',
  '\r\n',
)
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c))
const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c))
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.oneof(nasty, anyCodeUnit, control), maxLength: 300 }),
  fc.string({
    unit: fc.oneof(nasty, fc.string({ unit: 'binary', maxLength: 1 })),
    maxLength: 2000,
  }),
)

/** Well-formed XML 1.0 to both judges of @xmpp-errors/testing (`illegalXmlChar`, `saxesError`), then parsed. */
function assertWellFormedXml(wire: string): XmlElement {
  expect(illegalXmlChar(wire)).toBeUndefined()
  expect(saxesError(wire)).toBeUndefined()
  const element = parse(wire)
  if (element === null) throw new Error(`no element in ${JSON.stringify(wire)}`)
  return element
}

// ---- properties --------------------------------------------------------------------------

describe('StanzaError round trip', () => {
  it('fromElement(parse(toElement().toString())) keeps every field', () => {
    fc.assert(
      fc.property(stanzaCase, (options) => {
        const e = newStanzaError(options)
        const wire = e.toElement().toString()
        const back = StanzaError.fromElement(parse(wire))
        const sent = e.expose && e.text !== undefined
        expect(back.condition).toBe(e.condition)
        expect(back.type).toBe(e.type)
        expect(back.text).toBe(sent ? e.text : undefined)
        expect(back.lang).toBe(sent ? e.lang : undefined)
        expect(back.expose).toBe(sent ? true : e.blame === 'sender')
        expect(back.by).toBe(e.by)
        expect(back.uri).toBe(e.uri)
        expect(back.application?.toString()).toBe(e.application?.toString())
        expect(back.originalCondition).toBeUndefined()
        expect(back.toElement().toString()).toBe(wire)
      }),
      { numRuns: 300 },
    )
  })
})

describe('StreamError round trip', () => {
  it('fromElement(parse(toElement().toString())) keeps every field', () => {
    fc.assert(
      fc.property(streamCase, (options) => {
        const e = newStreamError(options)
        const wire = e.toElement().toString()
        const back = StreamError.fromElement(parse(wire))
        expect(back.condition).toBe(e.condition)
        expect(back.code).toBe(e.code)
        expect(back.text).toBe(e.text)
        expect(back.lang).toBe(e.text === undefined ? undefined : e.lang)
        expect(back.host).toBe(e.host)
        expect(back.application?.toString()).toBe(e.application?.toString())
        expect(back.originalCondition).toBeUndefined()
        expect(back.toElement().toString()).toBe(wire)
      }),
      { numRuns: 300 },
    )
  })
})

describe('hostile input', () => {
  it('stanza errors: never throw, always well-formed, never an illegal character', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...stanzaConditions),
        hostileText,
        hostileText,
        hostileText,
        (condition, t, by, u) => {
          const carriesUri = lookup('stanza', condition).characterData === 'xmpp-uri'
          const e = new StanzaError(condition, {
            text: t,
            by,
            expose: true,
            ...(carriesUri ? { uri: u } : {}),
          } as StanzaErrorOptions)
          expect(e.text === undefined ? 0 : e.text.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH)
          const wire = e.toElement().toString()
          const parsed = assertWellFormedXml(wire)
          const back = StanzaError.fromElement(parsed)
          expect(back.condition).toBe(condition)
          expect(back.text).toBe(e.text)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('stream errors: never throw, always well-formed, never an illegal character', () => {
    fc.assert(
      fc.property(fc.constantFrom(...streamConditions), hostileText, (condition, t) => {
        const e = new StreamError(condition, { text: t })
        const parsed = assertWellFormedXml(e.toElement().toString())
        const back = StreamError.fromElement(parsed)
        expect(back.condition).toBe(condition)
        expect(back.text).toBe(e.text)
      }),
      { numRuns: 300 },
    )
  })

  it('huge text (up to 1 MB) is capped and stays well-formed', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.oneof(nasty, anyCodeUnit), minLength: 1, maxLength: 64 }),
        fc.integer({ min: 100_000, max: 1_000_000 }),
        (chunk, size) => {
          const huge = chunk.repeat(Math.ceil(size / chunk.length)).slice(0, size)
          const stanza = new StanzaError('bad-request', { text: huge })
          const stream = new StreamError('policy-violation', { text: huge })
          for (const e of [stanza, stream]) {
            expect(e.text?.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH)
            const wire = e.toElement().toString()
            expect(wire.length).toBeLessThan(MAX_TEXT_LENGTH * 6)
            assertWellFormedXml(wire)
          }
        },
      ),
      { numRuns: 4 },
    )
  })

  it('fromElement never throws on arbitrary element trees', () => {
    const name = fc.oneof(
      fc.constantFrom('error', 'stream:error', 'text', 'iq', ...stanzaConditions),
      fc.stringMatching(/^[a-z][a-z:-]{0,8}$/),
    )
    const attrs = fc.dictionary(
      fc.constantFrom('xmlns', 'type', 'by', 'xml:lang', 'code', 'xmlns:stream'),
      fc.oneof(fc.constantFrom(NS_STANZAS, NS_STREAMS, 'cancel', 'wait', 'en'), fc.string()),
    )
    const { tree } = fc.letrec<{ tree: Element; child: Element | string }>((tie) => ({
      tree: fc
        .tuple(name, attrs, fc.array(tie('child'), { maxLength: 4 }))
        .map(([n, a, children]) => xml(n, a, ...children)),
      child: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.string(), tie('tree')),
    }))
    fc.assert(
      fc.property(tree, (element) => {
        const stanza = StanzaError.fromElement(element)
        expect(stanzaConditions).toContain(stanza.condition)
        const wire = stanza.toElement().toString()
        expect(illegalXmlChar(wire)).toBeUndefined()
        // The trees declare namespaces as no namespace-aware parser would have delivered them
        // (xmlns:stream=""), and an application condition is kept as it came: XML 1.0 alone here.
        expect(saxesError(wire, { namespaces: false })).toBeUndefined()
        const stream = StreamError.fromElement(element)
        expect(streamConditions).toContain(stream.condition)
      }),
      { numRuns: 300 },
    )
  })
})

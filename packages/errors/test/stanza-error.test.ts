import xml from '@xmpp/xml'
import parse from '@xmpp/xml/lib/parse.js'
import {
  type ErrorType,
  errorTypes,
  lookup,
  NS_STANZAS,
  NS_STREAMS,
  type StanzaCondition,
  stanzaConditions,
} from '@xmpp-errors/conditions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  cutAt,
  errorText,
  isStanzaError,
  isStreamError,
  isXmppError,
  MAX_ADDRESS_LENGTH,
  MAX_TEXT_LENGTH,
  StanzaError,
  type StanzaErrorOptions,
  StreamError,
  sanitizeXmlText,
  type XmlElement,
} from '../src/index.js'

const APP_NS = 'urn:example:app'
const app = () => xml('quota-exceeded', { xmlns: APP_NS })
// Anything a test builds with arbitrary options: the type-level checks are in types.test-d.ts.
const make = (condition: string, options: Record<string, unknown> = {}) =>
  new StanzaError(condition as StanzaCondition, options as StanzaErrorOptions)

function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string')
}

/** All fields a peer can observe, for comparing two errors. */
function fields(e: StanzaError) {
  return {
    condition: e.condition,
    code: e.code,
    type: e.type,
    text: e.text,
    lang: e.lang,
    by: e.by,
    uri: e.uri,
    application: e.application?.toString(),
    expose: e.expose,
    originalCondition: e.originalCondition,
  }
}

describe.each(stanzaConditions.map((c) => [c]))('%s', (condition) => {
  const entry = lookup('stanza', condition)
  const uri = entry.characterData === 'xmpp-uri' ? 'xmpp:new@example.net' : undefined

  it('has the registry fields and defaults', () => {
    const e = new StanzaError(condition)
    expect(e.condition).toBe(condition)
    expect(e.code).toBe(condition)
    expect(e.title).toBe(entry.title)
    expect(e.type).toBe(entry.type)
    expect(e.kind).toBe('stanza')
    expect(e.blame).toBe(entry.blame)
    expect(e.expose).toBe(entry.blame === 'sender')
    expect(e.text).toBeUndefined()
    expect(e.lang).toBeUndefined()
    expect(e.by).toBeUndefined()
    expect(e.uri).toBeUndefined()
    expect(e.application).toBeUndefined()
    expect(e.originalCondition).toBeUndefined()
    expect(e.element).toBeUndefined()
    expect(e.name).toBe('StanzaError')
    expect(e.message).toBe(condition)
    expect('cause' in e).toBe(false)
    expect(e).toBeInstanceOf(Error)
    expect(e).toBeInstanceOf(StanzaError)
    expect(isStanzaError(e)).toBe(true)
    expect(isXmppError(e)).toBe(true)
    expect(isStreamError(e)).toBe(false)
  })

  it('serializes condition, text, application in RFC order', () => {
    const e = make(condition, {
      text: 'Nope',
      lang: 'en',
      by: 'svc.example.net',
      application: app(),
      expose: true,
      ...(uri ? { uri } : {}),
    })
    const el = e.toElement()
    expect(el.name).toBe('error')
    expect(el.attrs).toEqual({ type: entry.type, by: 'svc.example.net' })
    const [cond, text, application, ...rest] = elements(el)
    expect(rest).toEqual([])
    expect(cond?.name).toBe(condition)
    expect(cond?.attrs).toEqual({ xmlns: NS_STANZAS })
    expect(cond?.children).toEqual(uri ? [uri] : [])
    expect(text?.name).toBe('text')
    expect(text?.attrs).toEqual({ xmlns: NS_STANZAS, 'xml:lang': 'en' })
    expect(text?.text()).toBe('Nope')
    expect(application?.name).toBe('quota-exceeded')
    expect(application?.getNS()).toBe(APP_NS)
    const condXml = uri
      ? `<${condition} xmlns="${NS_STANZAS}">${uri}</${condition}>`
      : `<${condition} xmlns="${NS_STANZAS}"/>`
    expect(el.toString()).toBe(
      `<error type="${entry.type}" by="svc.example.net">${condXml}` +
        `<text xmlns="${NS_STANZAS}" xml:lang="en">Nope</text>` +
        `<quota-exceeded xmlns="${APP_NS}"/></error>`,
    )
  })

  it('leaves out text that is not exposed, and xml:lang when no lang is given', () => {
    const hidden = make(condition, { text: 'secret', expose: false, application: app() })
    expect(hidden.toElement().toString()).not.toContain('secret')
    expect(elements(hidden.toElement()).map((c) => c.name)).toEqual([condition, 'quota-exceeded'])
    const shown = make(condition, { text: 'hello', expose: true })
    const text = elements(shown.toElement())[1]
    expect(text?.attrs).toEqual({ xmlns: NS_STANZAS })
    // By default, the text goes out only when the sender is to blame.
    const byDefault = make(condition, { text: 'default' })
    expect(byDefault.expose).toBe(entry.blame === 'sender')
    expect(byDefault.toElement().toString().includes('default')).toBe(entry.blame === 'sender')
  })

  it('round-trips through fromElement(toElement())', () => {
    const e = make(condition, {
      text: 'a < b & "c"',
      lang: 'de-CH',
      by: 'room@muc.example.net',
      application: app(),
      expose: true,
      ...(uri ? { uri } : {}),
    })
    const back = StanzaError.fromElement(e.toElement())
    expect(back.toElement().toString()).toBe(e.toElement().toString())
    expect(fields(back)).toEqual(fields(e))
    expect(back.element).toBeDefined()
  })

  it('round-trips through the wire form', () => {
    const e = make(condition, {
      text: 'a < b & ]]> "c"',
      lang: 'en',
      application: app(),
      expose: true,
      ...(uri ? { uri } : {}),
    })
    const wire = e.toElement().toString()
    const back = StanzaError.fromElement(parse(wire))
    expect(back.toElement().toString()).toBe(wire)
    expect(fields(back)).toEqual(fields(e))
  })

  it('accepts each allowed type and rejects the others with a clear TypeError', () => {
    for (const type of errorTypes) {
      const allowed = (entry.types as readonly ErrorType[]).includes(type)
      if (allowed) {
        expect(make(condition, { type }).type).toBe(type)
        expect(make(condition, { type }).toElement().attrs.type).toBe(type)
      } else {
        expect(() => make(condition, { type })).toThrow(TypeError)
        expect(() => make(condition, { type })).toThrow(
          `type "${type}" is not allowed for ${condition} (RFC 6120 §${entry.rfc}); allowed: ${entry.types.join(', ')}`,
        )
      }
    }
    expect(() => make(condition, { type: 'error' })).toThrow(TypeError)
  })

  it(uri ? 'carries a uri' : 'rejects a uri', () => {
    if (uri) {
      const e = make(condition, { uri })
      expect(e.uri).toBe(uri)
      expect(elements(e.toElement())[0]?.text()).toBe(uri)
    } else {
      expect(() => make(condition, { uri: 'xmpp:a@b' })).toThrow(
        `uri is only carried by gone and redirect, not ${condition}`,
      )
    }
  })
})

describe('StanzaError options', () => {
  it('keeps cause (ES2022) and has none when not given', () => {
    const cause = new Error('db down')
    const e = new StanzaError('internal-server-error', { cause })
    expect(e.cause).toBe(cause)
    expect(new StanzaError('internal-server-error', { cause: undefined })).toHaveProperty('cause')
    expect(Object.hasOwn(new StanzaError('internal-server-error'), 'cause')).toBe(false)
    expect(Object.hasOwn(new StanzaError('internal-server-error', { text: 'x' }), 'cause')).toBe(
      false,
    )
  })

  it('puts the text in the message', () => {
    expect(new StanzaError('forbidden', { text: 'no' }).message).toBe('forbidden - no')
  })

  it('validates lang', () => {
    for (const lang of ['en', 'en-GB', 'zh-Hant-TW', 'de-CH-1901', 'i-klingon']) {
      expect(new StanzaError('forbidden', { lang }).lang).toBe(lang)
    }
    for (const lang of ['', 'en_GB', 'en GB', '"><x/>', 'toolonglang', '-en', 'en-']) {
      expect(() => new StanzaError('forbidden', { lang }), lang).toThrow(TypeError)
    }
    expect(() => new StanzaError('forbidden', { lang: 'e"n' })).toThrow(/is not a language tag/)
  })

  it('requires application to be an element with a namespace of its own', () => {
    expect(() => make('bad-request', { application: 'x' })).toThrow(TypeError)
    expect(() => make('bad-request', { application: { name: 'x' } })).toThrow(TypeError)
    expect(() => make('bad-request', { application: xml('x') })).toThrow(
      /needs a namespace of its own/,
    )
    expect(() => make('bad-request', { application: xml('x', { xmlns: NS_STANZAS }) })).toThrow(
      TypeError,
    )
    expect(() => make('bad-request', { application: xml('x', { xmlns: NS_STREAMS }) })).toThrow(
      TypeError,
    )
    expect(make('bad-request', { application: app() }).application?.getNS()).toBe(APP_NS)
  })

  it('treats empty text, by and uri as absent', () => {
    const e = make('gone', { text: '', by: '', uri: '' })
    expect(e.text).toBeUndefined()
    expect(e.by).toBeUndefined()
    expect(e.uri).toBeUndefined()
    expect(e.toElement().toString()).toBe(
      `<error type="cancel"><gone xmlns="${NS_STANZAS}"/></error>`,
    )
  })

  it('rejects a condition that is not a stanza condition', () => {
    expect(() => make('item-not-fund')).toThrow('StanzaError: unknown stanza condition')
    expect(() => make('see-other-host')).toThrow(TypeError)
    expect(() => make('constructor')).toThrow(TypeError)
  })

  it('exposes a server-blame condition only when asked', () => {
    const e = new StanzaError('internal-server-error', { text: 'stack trace' })
    expect(e.expose).toBe(false)
    expect(e.toElement().toString()).not.toContain('stack trace')
    const shown = new StanzaError('internal-server-error', { text: 'retry', expose: true })
    expect(shown.toElement().toString()).toContain('>retry</text>')
    const hidden = new StanzaError('item-not-found', { text: 'who', expose: false })
    expect(hidden.toElement().toString()).not.toContain('who')
  })
})

describe('text sanitisation and cap', () => {
  it('replaces characters illegal in XML 1.0 with U+FFFD', () => {
    const e = new StanzaError('bad-request', { text: 'a\u0000b\u0007c\u001fd\uFFFEe\uFFFFf' })
    expect(e.text).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf')
  })

  it('keeps tab, newline, carriage return and astral characters', () => {
    const text = 'a\tb\nc\rd 😀 \u{10FFFD} \uE000 \uD7FF'
    expect(new StanzaError('bad-request', { text }).text).toBe(text)
  })

  it('replaces lone surrogates, keeps pairs', () => {
    const e = new StanzaError('bad-request', { text: 'x\uD800y\uDC00z\uD83D\uDE00' })
    expect(e.text).toBe('x\uFFFDy\uFFFDz\uD83D\uDE00')
    expect(sanitizeXmlText('\uDBFF')).toBe('\uFFFD')
    expect(sanitizeXmlText('\uDE00\uD83D')).toBe('\uFFFD\uFFFD')
  })

  it('replaces each character XML 1.0 forbids with one U+FFFD, and nothing else', () => {
    // XML 1.0 §2.2 Char, read code point by code point: a lone surrogate is one of its own.
    const legal = (cp: number) =>
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      cp >= 0x10000
    const expected = (value: string) =>
      Array.from(value, (c) => (legal(c.codePointAt(0) as number) ? c : '\uFFFD')).join('')
    // Every edge of the legal ranges, beside ordinary characters and any code unit at all.
    const edges = fc.constantFrom(
      ...'\u0000\u0008\t\n\u000B\u000C\r\u000E\u001F \uD7FF\uD800\uDBFF\uDC00\uDFFF\uE000\uFFFD\uFFFE\uFFFF',
    )
    const unit = fc.oneof(
      edges,
      fc.constantFrom('a', 'é', '😀'),
      fc.string({ unit: 'binary', maxLength: 1 }),
    )
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (value) => {
        expect(sanitizeXmlText(value)).toBe(expected(value))
      }),
      { numRuns: 5000 },
    )
  })

  it('escapes markup in the output and reads it back', () => {
    const text = '<iq type="set"/> & ]]> <![CDATA[x]]>'
    const e = new StanzaError('bad-request', { text })
    const wire = e.toElement().toString()
    expect(wire).not.toContain('<iq')
    expect(wire).not.toContain(']]>')
    expect(wire).toContain('&lt;iq type="set"/&gt; &amp; ]]&gt;')
    expect(StanzaError.fromElement(parse(wire)).text).toBe(text)
  })

  it('sanitises by and uri too', () => {
    const e = make('redirect', { by: 'a\u0001b', uri: 'xmpp:x\u0000@y' })
    expect(e.by).toBe('a\uFFFDb')
    expect(e.uri).toBe('xmpp:x\uFFFD@y')
  })

  it(`caps text at MAX_TEXT_LENGTH (${MAX_TEXT_LENGTH}) UTF-16 code units`, () => {
    expect(MAX_TEXT_LENGTH).toBe(1024)
    const exact = 'x'.repeat(MAX_TEXT_LENGTH)
    expect(new StanzaError('bad-request', { text: exact }).text).toBe(exact)
    const long = new StanzaError('bad-request', { text: 'y'.repeat(100_000) }).text ?? ''
    expect(long.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH)
    expect(long.endsWith('…')).toBe(true)
    expect(long.startsWith('y'.repeat(MAX_TEXT_LENGTH - 1))).toBe(true)
    // Capping again changes nothing, so a parsed error keeps the text it carried.
    expect(errorText(long)).toBe(long)
  })

  it('does not split a surrogate pair at the cut', () => {
    for (let pad = MAX_TEXT_LENGTH - 4; pad <= MAX_TEXT_LENGTH + 1; pad++) {
      const text = new StanzaError('bad-request', { text: `${'x'.repeat(pad)}${'😀'.repeat(10)}` })
        .text as string
      expect(text.length, String(pad)).toBeLessThanOrEqual(MAX_TEXT_LENGTH)
      expect(text, String(pad)).not.toMatch(/\uFFFD/)
      expect(text, String(pad)).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
      expect(text.endsWith('…'), String(pad)).toBe(true)
    }
    expect(errorText('ab😀cd', 4)).toBe('ab…')
    expect(errorText('abc😀d', 4)).toBe('abc…')
    expect(errorText('abcd', 4)).toBe('abcd')
  })

  it('cutAt keeps a pair whole or leaves it out, never half of it', () => {
    expect(cutAt('a😀b', 1)).toBe('a')
    expect(cutAt('a😀b', 2)).toBe('a')
    expect(cutAt('a😀b', 3)).toBe('a😀')
    expect(cutAt('ab', 5)).toBe('ab')
    expect(cutAt('ab', -1)).toBe('')
  })
})

describe('isStanzaError, isStreamError, isXmppError', () => {
  const brand = Symbol.for('@xmpp-errors/errors.kind')

  it('recognise errors from another copy of the package by their registry symbol', () => {
    class OtherCopyStanzaError extends Error {}
    Object.defineProperty(OtherCopyStanzaError.prototype, brand, { value: 'stanza' })
    const foreign = new OtherCopyStanzaError('item-not-found')
    expect(foreign).not.toBeInstanceOf(StanzaError)
    expect(isStanzaError(foreign)).toBe(true)
    expect(isXmppError(foreign)).toBe(true)
    expect(isStreamError(foreign)).toBe(false)
    const plain = Object.create({ [brand]: 'stream' })
    expect(isStreamError(plain)).toBe(true)
    expect(isStanzaError(plain)).toBe(false)
  })

  it('reject look-alikes and garbage', () => {
    const xmppJsLike = Object.assign(new Error('item-not-found'), {
      condition: 'item-not-found',
      type: 'cancel',
    })
    for (const value of [
      xmppJsLike,
      new Error('x'),
      { kind: 'stanza', condition: 'gone' },
      { [Symbol('@xmpp-errors/errors.kind')]: 'stanza' },
      { [brand]: 'other' },
      null,
      undefined,
      'stanza',
      42,
    ]) {
      expect(isStanzaError(value)).toBe(false)
      expect(isStreamError(value)).toBe(false)
      expect(isXmppError(value)).toBe(false)
    }
    expect(isXmppError(new StreamError('conflict'))).toBe(true)
  })

  it('do not throw on a Proxy whose get trap throws, and do not recognise it', () => {
    const hostile = new Proxy(new StanzaError('gone'), {
      get() {
        throw new Error('trap')
      },
    })
    expect(isStanzaError(hostile)).toBe(false)
    expect(isStreamError(hostile)).toBe(false)
    expect(isXmppError(hostile)).toBe(false)
    const fn = Object.assign(() => {}, { [brand]: 'stanza' })
    expect(isStanzaError(fn)).toBe(true)
  })
})

describe('StanzaError.fromElement', () => {
  const ns = `xmlns="${NS_STANZAS}"`

  it('reads the error out of a whole stanza', () => {
    const iq = parse(
      `<iq xmlns="jabber:client" type="error" id="1" from="a@b"><query xmlns="jabber:iq:roster"/>` +
        `<error type="auth" by="b"><forbidden ${ns}/><text ${ns} xml:lang="en">go away</text>` +
        `<x xmlns="${APP_NS}"/></error></iq>`,
    )
    const e = StanzaError.fromElement(iq)
    expect(e.condition).toBe('forbidden')
    expect(e.type).toBe('auth')
    expect(e.by).toBe('b')
    expect(e.text).toBe('go away')
    expect(e.lang).toBe('en')
    expect(e.expose).toBe(true)
    expect(e.application?.name).toBe('x')
    expect(e.element?.name).toBe('error')
    expect(e.originalCondition).toBeUndefined()
  })

  it('exposes the text a parsed error carried, even of a server-blame condition', () => {
    const e = StanzaError.fromElement(
      parse(`<error type="wait"><resource-constraint ${ns}/><text ${ns}>busy</text></error>`),
    )
    expect(e.blame).toBe('server')
    expect(e.expose).toBe(true)
    expect(e.toElement().toString()).toContain('>busy</text>')
  })

  it('turns an unknown condition into undefined-condition, keeping its name', () => {
    const e = StanzaError.fromElement(
      parse(`<error type="modify"><payment-required ${ns}/></error>`),
    )
    expect(e.condition).toBe('undefined-condition')
    expect(e.originalCondition).toBe('payment-required')
    expect(e.type).toBe('modify')
  })

  it('turns a missing condition into undefined-condition without originalCondition', () => {
    const e = StanzaError.fromElement(parse(`<error type="cancel"><text ${ns}>?</text></error>`))
    expect(e.condition).toBe('undefined-condition')
    expect(e.originalCondition).toBeUndefined()
    expect(e.text).toBe('?')
  })

  it('a stanza without an error gives undefined-condition', () => {
    const e = StanzaError.fromElement(parse('<iq type="error" id="1"><query xmlns="q"/></iq>'))
    expect(e.condition).toBe('undefined-condition')
    expect(e.element).toBeUndefined()
  })

  it("keeps an RFC 3920 peer's internal-server-error of type wait", () => {
    const e = StanzaError.fromElement(
      parse(`<error type="wait" code="500"><internal-server-error ${ns}/></error>`),
    )
    expect(e.condition).toBe('internal-server-error')
    expect(e.type).toBe('wait')
    expect(e.toElement().attrs.type).toBe('wait')
    // …which a thrower may not do.
    expect(() => make('internal-server-error', { type: 'wait' })).toThrow(TypeError)
  })

  it('replaces a type outside the five with the default, and drops a bad lang', () => {
    const e = StanzaError.fromElement(
      parse(
        `<error type="fatal"><item-not-found ${ns}/><text ${ns} xml:lang="e n">x</text></error>`,
      ),
    )
    expect(e.type).toBe('cancel')
    expect(e.lang).toBeUndefined()
    expect(e.text).toBe('x')
  })

  it('ignores a uri on a condition that carries none, reads it on redirect', () => {
    const nf = StanzaError.fromElement(
      parse(`<error type="cancel"><item-not-found ${ns}>xmpp:x</item-not-found></error>`),
    )
    expect(nf.uri).toBeUndefined()
    const r = StanzaError.fromElement(
      parse(`<error type="modify"><redirect ${ns}> xmpp:other@example.net </redirect></error>`),
    )
    expect(r.uri).toBe('xmpp:other@example.net')
  })

  it('skips an application child with no namespace of its own instead of throwing', () => {
    const e = StanzaError.fromElement(
      parse(`<error type="cancel"><item-not-found ${ns}/><bare/><x xmlns="${APP_NS}"/></error>`),
    )
    expect(e.condition).toBe('item-not-found')
    expect(e.application?.name).toBe('x')
    const streamNs = StanzaError.fromElement(
      parse(`<error type="cancel"><conflict ${ns}/><y xmlns="${NS_STREAMS}"/></error>`),
    )
    expect(streamNs.application).toBeUndefined()
  })

  it('never throws on garbage', () => {
    const throwing = Object.assign(xml('error', { type: 'cancel' }), {
      getChildElements() {
        throw new Error('boom')
      },
    })
    const parsed = parse(`<error type="cancel"><gone ${ns}/></error>`)
    if (parsed === null) throw new Error('no element')
    const badNs = Object.assign(parsed, {
      getNS() {
        throw new Error('boom')
      },
    })
    for (const value of [
      null,
      undefined,
      42,
      'error',
      {},
      [],
      { name: 'error', attrs: null, children: [] },
      { name: 'error', attrs: {}, children: 'x', getChildElements: () => [], getNS: () => '' },
      throwing,
      badNs,
      xml('error'),
      parse(`<error type="cancel"><${'a'.repeat(20)} ${ns}/></error>`),
    ]) {
      const e = StanzaError.fromElement(value)
      expect(e).toBeInstanceOf(StanzaError)
      expect(stanzaConditions).toContain(e.condition)
    }
    expect(StanzaError.fromElement(throwing).condition).toBe('undefined-condition')
    expect(StanzaError.fromElement(null).condition).toBe('undefined-condition')
  })

  it("accepts the element of an xmpp.js error (XMPPError's field names)", () => {
    // What @xmpp/iq's StanzaError.fromElement leaves on the error it throws.
    const element = xml(
      'error',
      { type: 'cancel' },
      xml('service-unavailable', { xmlns: NS_STANZAS }),
      xml('text', { xmlns: NS_STANZAS }, 'down'),
    )
    const xmppJsError = Object.assign(new Error('service-unavailable - down'), {
      name: 'StanzaError',
      condition: 'service-unavailable',
      text: 'down',
      application: undefined,
      type: 'cancel',
      element,
    })
    const ours = StanzaError.fromElement(xmppJsError.element)
    for (const key of ['condition', 'text', 'application', 'type'] as const) {
      expect(ours[key]).toEqual(xmppJsError[key])
    }
    expect(ours.element).toBe(element)
  })
})

describe('fromElement on objects no parser makes', () => {
  it('answers undefined-condition when reading the element throws', () => {
    const hostile = {
      get name(): string {
        throw new Error('getter')
      },
      attrs: {},
      children: [],
      getChildElements: () => [],
      getNS: () => undefined,
    }
    expect(StanzaError.fromElement(hostile).condition).toBe('undefined-condition')
    expect(StreamError.fromElement(hostile).condition).toBe('undefined-condition')
  })
})

describe('stack capture', () => {
  function where(): StanzaError {
    return new StanzaError('resource-constraint')
  }

  it('captures a stack for server-blame conditions, and none for sender-blame ones', () => {
    expect(where().stack).toContain('where')
    expect(new StanzaError('item-not-found').stack).toBe('StanzaError: item-not-found')
  })

  it('follows the stack option, and leaves Error.stackTraceLimit as it was', () => {
    const before = Error.stackTraceLimit
    expect(new StanzaError('item-not-found', { stack: true }).stack).toMatch(/\n\s+at /)
    expect(
      new StanzaError('resource-constraint', { stack: false }).stack?.split('\n'),
    ).toHaveLength(1)
    expect(Error.stackTraceLimit).toBe(before)
  })
})

describe('address lengths', () => {
  it('refuses a by or uri longer than an XMPP address can be', () => {
    const long = `a@${'b'.repeat(MAX_ADDRESS_LENGTH)}`
    expect(() => new StanzaError('conflict', { by: long })).toThrow(TypeError)
    expect(() => new StanzaError('gone', { uri: `xmpp:${long}` })).toThrow(/at most 3071/)
  })

  it("leaves a peer's over-long by or uri out when parsing, keeping the rest", () => {
    const long = 'x'.repeat(MAX_ADDRESS_LENGTH + 1)
    const parsed = StanzaError.fromElement(
      xml(
        'error',
        { type: 'cancel', by: long },
        xml('gone', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }, long),
      ),
    )
    expect(parsed.condition).toBe('gone')
    expect(parsed.by).toBeUndefined()
    expect(parsed.uri).toBeUndefined()
  })
})

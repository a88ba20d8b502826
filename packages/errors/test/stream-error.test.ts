import xml from '@xmpp/xml'
import parse from '@xmpp/xml/lib/parse.js'
import {
  lookup,
  NS_STANZAS,
  NS_STREAMS,
  type StreamCondition,
  streamConditions,
} from '@xmpp-errors/conditions'
import { describe, expect, it } from 'vitest'
import {
  isSeeOtherHost,
  isStanzaError,
  isStreamError,
  isXmppError,
  MAX_TEXT_LENGTH,
  StanzaError,
  StreamError,
  type StreamErrorOptions,
  type XmlElement,
} from '../src/index.js'

const APP_NS = 'urn:example:app'
const app = () => xml('too-many-connections', { xmlns: APP_NS })
// Anything a test builds with arbitrary options: the type-level checks are in types.test-d.ts.
const make = (condition: string, options: Record<string, unknown> = {}) =>
  new StreamError(condition as StreamCondition, options as StreamErrorOptions)

function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string')
}

function fields(e: StreamError) {
  return {
    condition: e.condition,
    code: e.code,
    text: e.text,
    lang: e.lang,
    host: e.host,
    application: e.application?.toString(),
    originalCondition: e.originalCondition,
  }
}

describe.each(streamConditions.map((c) => [c]))('%s', (condition) => {
  const entry = lookup('stream', condition)
  const host = entry.characterData === 'host[:port]' ? 'example.net:5222' : undefined

  it('has the registry fields', () => {
    const e = new StreamError(condition)
    expect(e.condition).toBe(condition)
    expect(e.code).toBe(`stream-${condition}`)
    expect(e.code).toBe(entry.code)
    expect(e.title).toBe(entry.title)
    expect(e.kind).toBe('stream')
    // Stream errors have no stanza error type.
    expect('type' in e).toBe(false)
    expect(e.text).toBeUndefined()
    expect(e.lang).toBeUndefined()
    expect(e.host).toBeUndefined()
    expect(e.application).toBeUndefined()
    expect(e.originalCondition).toBeUndefined()
    expect(e.element).toBeUndefined()
    expect(e.name).toBe('StreamError')
    expect(e.message).toBe(condition)
    expect('cause' in e).toBe(false)
    expect(e).toBeInstanceOf(Error)
    expect(e).toBeInstanceOf(StreamError)
    expect(e).not.toBeInstanceOf(StanzaError)
    expect(isStreamError(e)).toBe(true)
    expect(isXmppError(e)).toBe(true)
    expect(isStanzaError(e)).toBe(false)
  })

  it('serializes <stream:error> with text as a sibling of the condition', () => {
    const e = make(condition, {
      text: 'Bye',
      lang: 'en',
      application: app(),
      ...(host ? { host } : {}),
    })
    const el = e.toElement()
    expect(el.name).toBe('stream:error')
    const [cond, text, application, ...rest] = elements(el)
    expect(rest).toEqual([])
    expect(cond?.name).toBe(condition)
    expect(cond?.attrs).toEqual({ xmlns: NS_STREAMS })
    // The text is not inside the condition: only see-other-host carries character data.
    expect(cond?.children).toEqual(host ? [host] : [])
    expect(text?.name).toBe('text')
    expect(text?.attrs).toEqual({ xmlns: NS_STREAMS, 'xml:lang': 'en' })
    expect(text?.text()).toBe('Bye')
    expect(application?.getNS()).toBe(APP_NS)
    const condXml = host
      ? `<${condition} xmlns="${NS_STREAMS}">${host}</${condition}>`
      : `<${condition} xmlns="${NS_STREAMS}"/>`
    expect(el.toString()).toBe(
      `<stream:error>${condXml}<text xmlns="${NS_STREAMS}" xml:lang="en">Bye</text>` +
        `<too-many-connections xmlns="${APP_NS}"/></stream:error>`,
    )
  })

  it('serializes the bare condition without text', () => {
    expect(new StreamError(condition).toElement().toString()).toBe(
      `<stream:error><${condition} xmlns="${NS_STREAMS}"/></stream:error>`,
    )
    const text = elements(make(condition, { text: 'x' }).toElement())[1]
    expect(text?.attrs).toEqual({ xmlns: NS_STREAMS })
  })

  it('round-trips through fromElement(toElement())', () => {
    const e = make(condition, {
      text: 'a < b & "c"',
      lang: 'fr',
      application: app(),
      ...(host ? { host } : {}),
    })
    const back = StreamError.fromElement(e.toElement())
    expect(back.toElement().toString()).toBe(e.toElement().toString())
    expect(fields(back)).toEqual(fields(e))
    expect(back.element?.name).toBe('stream:error')
  })

  it('round-trips through the wire form', () => {
    const e = make(condition, {
      text: ']]> <stream:stream> &amp;',
      application: app(),
      ...(host ? { host } : {}),
    })
    const wire = e.toElement().toString()
    const back = StreamError.fromElement(parse(wire))
    expect(back.toElement().toString()).toBe(wire)
    expect(fields(back)).toEqual(fields(e))
  })

  it(host ? 'carries a host' : 'rejects a host', () => {
    if (host) {
      expect(make(condition, { host }).host).toBe(host)
    } else {
      expect(() => make(condition, { host: 'example.net' })).toThrow(
        `host is only carried by see-other-host, not ${condition}`,
      )
    }
  })
})

describe('see-other-host', () => {
  it.each([
    'example.net',
    'example.net:5222',
    'example.net.',
    'xmpp-1.example.net:1',
    'bücher.example:65535',
    '[2001:db8::1]:5222',
    '[2001:db8::1]',
    '[::ffff:192.0.2.1]:5269',
    '192.0.2.1:5222',
    '192.0.2.1',
  ])('accepts %s', (host) => {
    expect(isSeeOtherHost(host)).toBe(true)
    const e = new StreamError('see-other-host', { host })
    expect(e.host).toBe(host)
    expect(StreamError.fromElement(parse(e.toElement().toString())).host).toBe(host)
  })

  it.each([
    'example.net:99999',
    'example.net:0',
    'example.net:',
    'example.net:52a2',
    'exa mple',
    'exa_mple.net',
    '-example.net',
    '[zzz]',
    '[192.0.2.1]',
    '2001:db8::1',
    '[2001:db8::1',
    'example.net/path',
    'xmpp:example.net',
    '',
    'a'.repeat(301),
    '[:::::]',
    '[:::::]:5222',
    '[1:2:3:4:5:6:7:8:9]',
    '[2001:db8::1]x',
    '999.999.999.999:5222',
    '999.999.999.999',
    '192.0.2',
    '192.0.2.1.',
    '01.02.03.04',
  ])('rejects %j', (host) => {
    expect(isSeeOtherHost(host)).toBe(false)
    expect(() => new StreamError('see-other-host', { host })).toThrow(TypeError)
  })

  it('rejects a host that is not a string', () => {
    expect(isSeeOtherHost(42)).toBe(false)
    expect(() => make('see-other-host', { host: 5222 })).toThrow(/is not domain\[:port\]/)
  })

  it('drops an invalid host when parsing, instead of throwing', () => {
    const e = StreamError.fromElement(
      parse(
        `<stream:error><see-other-host xmlns="${NS_STREAMS}">exa mple</see-other-host></stream:error>`,
      ),
    )
    expect(e.condition).toBe('see-other-host')
    expect(e.host).toBeUndefined()
  })
})

describe('StreamError options', () => {
  it('keeps cause and has none when not given', () => {
    const cause = new RangeError('limit')
    expect(new StreamError('policy-violation', { cause }).cause).toBe(cause)
    expect(Object.hasOwn(new StreamError('policy-violation'), 'cause')).toBe(false)
  })

  it('validates lang', () => {
    expect(new StreamError('reset', { lang: 'en-US' }).lang).toBe('en-US')
    for (const lang of ['', 'en US', 'x"y', '123']) {
      expect(() => new StreamError('reset', { lang }), lang).toThrow(/is not a language tag/)
    }
  })

  it('requires application to be an element with a namespace of its own', () => {
    expect(() => make('policy-violation', { application: 'x' })).toThrow(TypeError)
    expect(() => make('policy-violation', { application: xml('x') })).toThrow(TypeError)
    expect(() =>
      make('policy-violation', { application: xml('x', { xmlns: NS_STREAMS }) }),
    ).toThrow(TypeError)
    expect(make('policy-violation', { application: app() }).application?.name).toBe(
      'too-many-connections',
    )
  })

  it('rejects a condition that is not a stream condition', () => {
    expect(() => make('stream-conflict')).toThrow('StreamError: unknown stream condition')
    expect(() => make('item-not-found')).toThrow(TypeError)
  })

  it('sanitises and caps text', () => {
    const e = new StreamError('policy-violation', { text: `a\u0000b\uD800${'z'.repeat(5000)}` })
    expect(e.text?.startsWith('a\uFFFDb\uFFFDz')).toBe(true)
    expect(e.text?.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH)
    const wire = e.toElement().toString()
    expect(wire).not.toContain('\u0000')
    expect(wire).not.toContain('\uD800')
  })
})

describe('StreamError.fromElement', () => {
  const ns = `xmlns="${NS_STREAMS}"`

  it('reads a peer stream error', () => {
    const e = StreamError.fromElement(
      parse(
        `<stream:error xmlns:stream="http://etherx.jabber.org/streams"><host-unknown ${ns}/>` +
          `<text ${ns} xml:lang="en">No such host</text><x xmlns="${APP_NS}"/></stream:error>`,
      ),
    )
    expect(e.condition).toBe('host-unknown')
    expect(e.code).toBe('stream-host-unknown')
    expect(e.text).toBe('No such host')
    expect(e.lang).toBe('en')
    expect(e.application?.name).toBe('x')
    expect(e.originalCondition).toBeUndefined()
  })

  it('turns an unknown condition into undefined-condition, keeping its name', () => {
    const e = StreamError.fromElement(
      parse(`<stream:error><xml-not-well-formed ${ns}/></stream:error>`),
    )
    expect(e.condition).toBe('undefined-condition')
    expect(e.originalCondition).toBe('xml-not-well-formed')
  })

  it('a stanza condition namespace is not a stream condition', () => {
    const e = StreamError.fromElement(
      parse(`<stream:error><conflict xmlns="${NS_STANZAS}"/></stream:error>`),
    )
    expect(e.condition).toBe('undefined-condition')
  })

  it('a missing condition gives undefined-condition', () => {
    const e = StreamError.fromElement(parse(`<stream:error><text ${ns}>hm</text></stream:error>`))
    expect(e.condition).toBe('undefined-condition')
    expect(e.originalCondition).toBeUndefined()
    expect(e.text).toBe('hm')
  })

  it('skips an application child without a namespace', () => {
    const e = StreamError.fromElement(parse(`<stream:error><reset ${ns}/><bare/></stream:error>`))
    expect(e.condition).toBe('reset')
    expect(e.application).toBeUndefined()
  })

  it('never throws on garbage', () => {
    const throwing = Object.assign(xml('stream:error'), {
      getChildElements() {
        throw new Error('boom')
      },
    })
    for (const value of [
      null,
      undefined,
      42,
      {},
      'stream:error',
      throwing,
      xml('stream:features'),
      { name: 'stream:error', attrs: {}, children: [], getChildElements: () => [null, 1] },
    ]) {
      const e = StreamError.fromElement(value)
      expect(e).toBeInstanceOf(StreamError)
      expect(e.condition).toBe('undefined-condition')
    }
  })
})

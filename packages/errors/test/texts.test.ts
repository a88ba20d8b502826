import parse from '@xmpp/xml/lib/parse.js'
import { NS_STANZAS, NS_STREAMS } from '@xmpp-errors/conditions'
import { describe, expect, it } from 'vitest'
import {
  MAX_LANGUAGES,
  MAX_TEXT_LENGTH,
  StanzaError,
  StreamError,
  type XmlElement,
} from '../src/index.js'

const texts = { en: 'no note named a', de: 'keine Notiz namens a' }
const textsOf = (el: XmlElement) =>
  el
    .getChildElements()
    .filter((c) => c.name === 'text')
    .map((c) => [c.attrs['xml:lang'], c.text()])

describe('texts by language', () => {
  it('take the first language as the default, or lang', () => {
    const e = new StanzaError('item-not-found', { text: texts })
    expect([e.text, e.lang]).toEqual(['no note named a', 'en'])
    expect({ ...e.texts }).toEqual(texts)
    expect(Object.isFrozen(e.texts)).toBe(true)
    expect(e.message).toBe('item-not-found - no note named a')
    const de = new StanzaError('item-not-found', { text: texts, lang: 'DE' })
    expect([de.text, de.lang]).toEqual(['keine Notiz namens a', 'de'])
  })

  it('write one <text/>: the one asked for, with its xml:lang, else the default', () => {
    const e = new StanzaError('item-not-found', { text: texts })
    expect(textsOf(e.toElement())).toEqual([['en', 'no note named a']])
    expect(textsOf(e.toElement({ lang: 'de' }))).toEqual([['de', 'keine Notiz namens a']])
    expect(textsOf(e.toElement({ lang: 'fr' }))).toEqual([['en', 'no note named a']])
    // A language tag that is also a property of every object is just another language.
    expect(textsOf(e.toElement({ lang: 'toString' }))).toEqual([['en', 'no note named a']])
    const stream = new StreamError('system-shutdown', { text: { en: 'bye', de: 'tschüss' } })
    expect(stream.toElement({ lang: 'de' }).toString()).toBe(
      `<stream:error><system-shutdown xmlns="${NS_STREAMS}"/>` +
        `<text xmlns="${NS_STREAMS}" xml:lang="de">tschüss</text></stream:error>`,
    )
  })

  it('keep a string text as before: in lang when given, else with no xml:lang', () => {
    const plain = new StanzaError('forbidden', { text: 'go away' })
    expect({ ...plain.texts }).toEqual({})
    expect(plain.toElement({ lang: 'de' }).toString()).toContain(
      `<text xmlns="${NS_STANZAS}">go away</text>`,
    )
    expect({ ...new StanzaError('forbidden', { text: 'weg', lang: 'de' }).texts }).toEqual({
      de: 'weg',
    })
  })

  it('are sanitised and capped, each of them', () => {
    const e = new StanzaError('bad-request', { text: { en: 'a\u0000b', de: 'x'.repeat(5000) } })
    expect(e.texts.en).toBe('a\uFFFDb')
    expect(e.texts.de).toHaveLength(MAX_TEXT_LENGTH)
  })

  it('refuse bad input with a TypeError, where an object was dropped in silence', () => {
    for (const Class of [StanzaError, StreamError] as const) {
      const make = (text: unknown, lang?: string) =>
        new (Class as new (c: string, o: object) => Error)(
          Class === StanzaError ? 'bad-request' : 'policy-violation',
          lang === undefined ? { text } : { text, lang },
        )
      expect(() => make({})).toThrow(/text has no language/)
      expect(() => make({ 'en GB': 'x' })).toThrow(/"en GB" is not a language tag/)
      expect(() => make({ en: 1 })).toThrow(/text.en must be a non-empty string/)
      expect(() => make({ en: '' })).toThrow(TypeError)
      expect(() => make({ en: 'a', EN: 'b' })).toThrow(/language "EN" twice/)
      expect(() => make({ en: 'a' }, 'de')).toThrow(/not one of the text's languages/)
      for (const bad of [42, ['en', 'x'], new Date(), new Map([['en', 'x']]), () => 'x']) {
        expect(() => make(bad), String(bad)).toThrow(/text must be a string or an object/)
      }
    }
  })
})

describe('reading texts', () => {
  const error = (children: string) =>
    StanzaError.fromElement(
      parse(`<error type="cancel"><item-not-found xmlns="${NS_STANZAS}"/>${children}</error>`),
    )
  const text = (lang: string | undefined, value: string) =>
    `<text xmlns="${NS_STANZAS}"${lang === undefined ? '' : ` xml:lang="${lang}"`}>${value}</text>`

  it('keeps every language, the first text as text and lang', () => {
    const e = error(text('en', 'gone') + text('de', 'weg') + text('fr', 'parti'))
    expect([e.text, e.lang]).toEqual(['gone', 'en'])
    expect({ ...e.texts }).toEqual({ en: 'gone', de: 'weg', fr: 'parti' })
    expect(textsOf(e.toElement({ lang: 'fr' }))).toEqual([['fr', 'parti']])
  })

  it('keeps a first text without a language as text, the others by language', () => {
    const e = error(text(undefined, 'plain') + text('de', 'weg'))
    expect([e.text, e.lang]).toEqual(['plain', undefined])
    expect({ ...e.texts }).toEqual({ de: 'weg' })
  })

  it('keeps the first text of a language, leaves out bad tags and empty texts, and caps the count', () => {
    const e = error(text('en', 'one') + text('EN', 'two') + text('e n', 'bad') + text('de', ''))
    expect({ ...e.texts }).toEqual({ en: 'one' })
    const many = error(
      Array.from({ length: MAX_LANGUAGES + 10 }, (_, i) => text(`x-l${i}`, `t${i}`)).join(''),
    )
    expect(Object.keys(many.texts)).toHaveLength(MAX_LANGUAGES)
  })

  it('reads every language of a stream error', () => {
    const e = StreamError.fromElement(
      parse(
        `<stream:error xmlns:stream="http://etherx.jabber.org/streams"><conflict xmlns="${NS_STREAMS}"/>` +
          `<text xmlns="${NS_STREAMS}" xml:lang="en">replaced</text>` +
          `<text xmlns="${NS_STREAMS}" xml:lang="de">ersetzt</text></stream:error>`,
      ),
    )
    expect([e.text, e.lang, { ...e.texts }]).toEqual([
      'replaced',
      'en',
      { en: 'replaced', de: 'ersetzt' },
    ])
  })
})

import xml from '@xmpp/xml'
import { StanzaError, StreamError, type XmlElement } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { languagesOf, textLanguage } from '../src/language.js'
import { defaultEcho, errors } from '../src/middleware.js'
import { errorElementFor } from '../src/reply.js'
import { closeStream } from '../src/stream.js'

describe('textLanguage', () => {
  const available = ['en', 'de', 'pt-BR']

  it('takes the exact tag, then its primary subtag, then the fallback', () => {
    expect(textLanguage(available, 'de', 'en')).toBe('de')
    expect(textLanguage(available, 'de-CH', 'en')).toBe('de')
    expect(textLanguage(available, 'pt-BR', 'en')).toBe('pt-BR')
    expect(textLanguage(available, 'fr', 'en')).toBe('en')
    expect(textLanguage(available, 'fr', 'de-AT')).toBe('de')
    expect(textLanguage(available, undefined, 'en')).toBe('en')
  })

  it('compares without case and gives the tag as the error has it', () => {
    expect(textLanguage(available, 'DE-ch', 'en')).toBe('de')
    expect(textLanguage(available, 'PT-br', 'en')).toBe('pt-BR')
  })

  it('gives undefined when nothing matches, and ignores what is not a string', () => {
    expect(textLanguage(['fr'], 'de', 'en')).toBeUndefined()
    expect(textLanguage([], 'de', 'en')).toBeUndefined()
    expect(textLanguage(available, 42, 'de')).toBe('de')
    expect(textLanguage(available, '', 'de')).toBe('de')
  })

  it('does not take a primary subtag for a longer tag of the same language', () => {
    // pt-BR text is not offered to a pt-PT requester: only the exact tag or the primary subtag.
    expect(textLanguage(['pt-BR', 'en'], 'pt-PT', 'en')).toBe('en')
  })
})

describe('the reply text', () => {
  const options = { by: true, echo: { ...defaultEcho }, lang: 'en', legacyCodes: false }
  const stanza = (lang?: string) =>
    xml('iq', {
      type: 'get',
      id: '1',
      from: 'u@localhost/r',
      to: 'svc.localhost',
      ...(lang ? { 'xml:lang': lang } : {}),
    })
  const error = new StanzaError('item-not-found', { text: { en: 'no note', de: 'keine Notiz' } })
  const textOf = (el: ReturnType<typeof errorElementFor>) => {
    const text = el.getChild('text')
    return [text?.attrs['xml:lang'], text?.text()]
  }

  it("is in the stanza's xml:lang, its primary subtag, or the component's language", () => {
    expect(textOf(errorElementFor(stanza('de'), error, options))).toEqual(['de', 'keine Notiz'])
    expect(textOf(errorElementFor(stanza('de-AT'), error, options))).toEqual(['de', 'keine Notiz'])
    expect(textOf(errorElementFor(stanza('fr'), error, options))).toEqual(['en', 'no note'])
    expect(textOf(errorElementFor(stanza(), error, { ...options, lang: 'de' }))).toEqual([
      'de',
      'keine Notiz',
    ])
  })

  it('is the default text of an error from a copy of the package that has no texts', () => {
    const old = Object.assign(new StanzaError('item-not-found', { text: 'gone' }), {
      texts: undefined,
    })
    expect(languagesOf(old)).toEqual([])
    expect(textOf(errorElementFor(stanza('de'), old, options))).toEqual([undefined, 'gone'])
  })

  it('carries the XEP-0086 code when asked', () => {
    expect(errorElementFor(stanza(), error, options).attrs.code).toBeUndefined()
    expect(errorElementFor(stanza(), error, { ...options, legacyCodes: true }).attrs.code).toBe(
      '404',
    )
  })

  it('errors() refuses a lang that is not a language tag', () => {
    expect(() => errors({ lang: 'en_GB' })).toThrow(/not a language tag/)
    // A primary subtag is a code of 2 or 3 letters, or the x- or i- prefix of the subtags after it.
    expect(() => errors({ lang: 'x' })).toThrow('errors(): lang "x" is not a language tag')
    expect(() => errors({ lang: 'english' })).toThrow(
      'errors(): lang "english" is not a language tag',
    )
    for (const lang of ['en', 'de-CH', 'gsw', 'zh-Hant-TW', 'x-klingon', 'i-navajo']) {
      expect(() => errors({ lang })).not.toThrow()
    }
  })
})

describe('the stream error text', () => {
  it("is in the language closeStream is given, else the error's default", async () => {
    const error = new StreamError('system-shutdown', { text: { en: 'bye', de: 'tschüss' } })
    const sent: XmlElement[] = []
    const entity = {
      send: async (el: XmlElement) => {
        sent.push(el)
      },
      stop: async () => {},
      on: () => entity,
      listenerCount: () => 1,
    }
    await closeStream(entity, error, 'stop', { lang: 'de' })
    await closeStream(entity, error, 'stop', {})
    expect(sent.map((el) => el.getChild('text')?.attrs['xml:lang'])).toEqual(['de', 'en'])
  })
})

import xml from '@xmpp/xml'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import { describe, expect, it } from 'vitest'
import { lookupLanguage, StanzaError } from '../src/index.js'

const NS_PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors'

/** What xmpp.js's iqCaller rejects with on an error reply: its own StanzaError, with the element. */
function rejection(error: ReturnType<typeof xml>) {
  xml('iq', { type: 'error', from: 'notes.example.org', id: 'q1' }, error)
  return Object.assign(new Error('item-not-found'), { name: 'StanzaError', element: error })
}

const reply = () =>
  xml(
    'error',
    { type: 'cancel' },
    xml('item-not-found', { xmlns: NS_STANZAS }),
    xml('text', { xmlns: NS_STANZAS, 'xml:lang': 'en' }, 'no note named x'),
    xml('text', { xmlns: NS_STANZAS, 'xml:lang': 'de' }, 'keine Notiz namens x'),
    xml('invalid-subid', { xmlns: NS_PUBSUB_ERRORS }),
  )

describe('StanzaError.fromRequest', () => {
  it('reads a rejected request as our typed error, its text in the first language it has', () => {
    const error = StanzaError.fromRequest(rejection(reply()), { languages: ['de-CH', 'en'] })
    expect(error).toBeInstanceOf(StanzaError)
    expect(error).toMatchObject({ condition: 'item-not-found', type: 'cancel' })
    expect([error?.text, error?.lang]).toEqual(['keine Notiz namens x', 'de'])
    expect(error?.application?.attrs.xmlns).toBe(NS_PUBSUB_ERRORS)
  })

  it('keeps the first text when none of the languages has one', () => {
    const error = StanzaError.fromRequest(rejection(reply()), { languages: ['fr', 'it'] })
    expect([error?.text, error?.lang]).toEqual(['no note named x', 'en'])
    expect(StanzaError.fromRequest(rejection(reply()))?.text).toBe('no note named x')
  })

  it('reads the reply itself when the rejection carries it as stanza', () => {
    const stanza = xml('iq', { type: 'error', id: 'q2' }, reply())
    const reason = Object.assign(new Error('unreadable'), { element: undefined, stanza })
    expect(StanzaError.fromRequest(reason, { languages: ['de'] })).toMatchObject({
      condition: 'item-not-found',
      text: 'keine Notiz namens x',
    })
  })

  it('gives undefined for a request that failed without an error reply', () => {
    const timeout = Object.assign(new Error('timeout'), { name: 'TimeoutError' })
    for (const reason of [
      timeout,
      new Error('disconnected'),
      undefined,
      'x',
      { name: 'StanzaError' },
    ]) {
      expect(StanzaError.fromRequest(reason)).toBeUndefined()
    }
  })
})

describe('lookupLanguage', () => {
  const available = ['en', 'de', 'pt-BR']

  it('takes each wanted tag, then its primary subtag, in order', () => {
    expect(lookupLanguage(available, ['fr', 'de-AT', 'en'])).toBe('de')
    expect(lookupLanguage(available, ['PT-br'])).toBe('pt-BR')
    expect(lookupLanguage(available, ['pt-PT'])).toBeUndefined()
    expect(lookupLanguage([], ['en'])).toBeUndefined()
  })

  it('skips what is not a tag, and looks at no more than MAX_LANGUAGES of them', () => {
    expect(lookupLanguage(available, [undefined, 42, '', 'de'])).toBe('de')
    expect(lookupLanguage(available, [...Array(40).fill('fr'), 'de'])).toBeUndefined()
  })
})

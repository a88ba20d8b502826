import xml from '@xmpp/xml'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import { describe, expect, it } from 'vitest'
import { catalogueMarkdown, defineErrors, StanzaError } from '../src/index.js'

const NotesErrors = defineErrors({
  noSuchNote: {
    condition: 'item-not-found',
    text: { en: 'no note named {key}', de: 'keine Notiz namens {key}' },
  },
  noteMoved: {
    condition: 'gone',
    text: { en: 'note {key} moved to {to}', de: 'Notiz {key} ist nach {to} umgezogen' },
  },
  full: {
    condition: 'resource-constraint',
    text: { en: 'the store is full ({max} notes)', de: 'der Speicher ist voll ({max} Notizen)' },
    expose: true,
  },
  busy: { condition: 'policy-violation', type: 'wait', text: 'slow down' },
})

describe('defineErrors', () => {
  it('makes StanzaErrors with the texts filled in, in every language', () => {
    const error = NotesErrors.noSuchNote({ key: '"a"' })
    expect(error).toBeInstanceOf(StanzaError)
    expect([error.condition, error.type, error.text, error.lang]).toEqual([
      'item-not-found',
      'cancel',
      'no note named "a"',
      'en',
    ])
    expect({ ...error.texts }).toEqual({ en: 'no note named "a"', de: 'keine Notiz namens "a"' })
    expect(error.toElement({ lang: 'de' }).toString()).toBe(
      `<error type="cancel"><item-not-found xmlns="${NS_STANZAS}"/>` +
        `<text xmlns="${NS_STANZAS}" xml:lang="de">keine Notiz namens "a"</text></error>`,
    )
    expect(NotesErrors.full({ max: 100 }).text).toBe('the store is full (100 notes)')
    expect(NotesErrors.full({ max: 100 }).expose).toBe(true)
    expect(NotesErrors.busy().type).toBe('wait')
  })

  it('takes cause, by and application when thrown', () => {
    const cause = new Error('x')
    const app = xml('x', { xmlns: 'urn:example' })
    const error = NotesErrors.noSuchNote(
      { key: 'a' },
      { cause, by: 'notes.example', application: app },
    )
    expect([error.cause, error.by, error.application]).toEqual([cause, 'notes.example', app])
  })

  it('describes each error: name, condition, type, parameters, texts', () => {
    const { noteMoved } = NotesErrors
    expect([noteMoved.errorName, noteMoved.condition, noteMoved.type, noteMoved.params]).toEqual([
      'noteMoved',
      'gone',
      'cancel',
      ['key', 'to'],
    ])
    expect(Object.isFrozen(NotesErrors)).toBe(true)
  })

  it('refuses a bad definition when defined, not when thrown', () => {
    const loose = defineErrors as (d: unknown) => unknown
    expect(() => loose({ a: { condition: 'no-such', text: 'x' } })).toThrow(
      /a: unknown stanza condition/,
    )
    expect(() => loose({ a: { condition: 'item-not-found', type: 'wait', text: 'x' } })).toThrow(
      /type "wait" is not allowed/,
    )
    expect(() => loose({ a: { condition: 'item-not-found', text: { 'e n': 'x' } } })).toThrow(
      /not a language tag/,
    )
    expect(() => loose({ a: { condition: 'item-not-found', text: 'no {key name}' } })).toThrow(
      /\{key name\} is not a parameter name/,
    )
    expect(() => loose({ a: { condition: 'item-not-found', text: 42 } })).toThrow(TypeError)
    expect(() => loose(null)).toThrow(TypeError)
  })

  it('refuses a missing or bad parameter when thrown', () => {
    const loose = NotesErrors.noSuchNote as (p?: unknown) => StanzaError
    expect(() => loose({})).toThrow(/parameter key must be a string or a finite number/)
    expect(() => loose()).toThrow(TypeError)
    expect(() => loose({ key: { toString: () => 'x' } })).toThrow(TypeError)
    expect(() => loose({ key: Number.NaN })).toThrow(TypeError)
    // An inherited property is not a parameter.
    expect(() => loose(Object.create({ key: 'a' }))).toThrow(TypeError)
  })
})

describe('catalogueMarkdown', () => {
  it('is a table with a row per error and a column per language', () => {
    expect(catalogueMarkdown(NotesErrors).split('\n')).toEqual([
      '| Error | Condition | Type | Parameters | Text | Text (en) | Text (de) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| `noSuchNote` | `item-not-found` (RFC 6120 [§8.3.3.7](https://www.rfc-editor.org/rfc/rfc6120#section-8.3.3.7)) | cancel | `key` | - | no note named {key} | keine Notiz namens {key} |',
      '| `noteMoved` | `gone` (RFC 6120 [§8.3.3.5](https://www.rfc-editor.org/rfc/rfc6120#section-8.3.3.5)) | cancel | `key`, `to` | - | note {key} moved to {to} | Notiz {key} ist nach {to} umgezogen |',
      '| `full` | `resource-constraint` (RFC 6120 [§8.3.3.18](https://www.rfc-editor.org/rfc/rfc6120#section-8.3.3.18)) | wait | `max` | - | the store is full ({max} notes) | der Speicher ist voll ({max} Notizen) |',
      '| `busy` | `policy-violation` (RFC 6120 [§8.3.3.12](https://www.rfc-editor.org/rfc/rfc6120#section-8.3.3.12)) | wait | - | slow down | - | - |',
      '',
    ])
  })

  it('keeps markup in texts from becoming HTML or breaking the table', () => {
    const md = catalogueMarkdown(
      defineErrors({ x: { condition: 'bad-request', text: 'a <b> | c' } }),
    )
    expect(md).toContain('| a &lt;b&gt; \\| c |')
  })
})

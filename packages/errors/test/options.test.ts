import { describe, expect, it } from 'vitest'
import { isStanzaError, isStreamError, StanzaError, StreamError } from '../src/index.js'

// Where users come from: xmpp.js's StanzaError(condition, text), Slixmpp's etype, Boom's isBoom.
describe('the options of StanzaError and StreamError', () => {
  it("refuse xmpp.js's positional text with the options form in the message", () => {
    const positional = () =>
      new (StanzaError as new (c: string, o: unknown) => StanzaError)(
        'item-not-found',
        'no such note',
      )
    expect(positional).toThrow(TypeError)
    expect(positional).toThrow(
      `StanzaError: the second argument is an options object, as in new StanzaError("item-not-found", { text: "no such note" })`,
    )
    expect(
      () => new (StreamError as new (c: string, o: unknown) => StreamError)('conflict', 'x'),
    ).toThrow('new StreamError("conflict", { text: "x" })')
  })

  it.each([
    [{ etype: 'cancel' }, 'etype'],
    [{ typo: 1 }, 'typo'],
    [{ text: 'ok', condition: 'forbidden' }, 'condition'],
  ])('refuse an unknown option, naming it: %o', (options, name) => {
    expect(() => new StanzaError('item-not-found', options as object)).toThrow(
      new RegExp(`^StanzaError: unknown option "${name}"; the options are type, text, lang, by,`),
    )
    expect(() => new StreamError('conflict', options as object)).toThrow(
      `StreamError: unknown option "${name}"`,
    )
  })

  it('take every option they declare', () => {
    expect(new StanzaError('gone', { uri: 'xmpp:a@b', text: 't', expose: true }).uri).toBe(
      'xmpp:a@b',
    )
    expect(new StreamError('see-other-host', { host: 'b.example' }).host).toBe('b.example')
  })
})

describe('isStanzaError and isStreamError with a condition', () => {
  const notFound = new StanzaError('item-not-found')
  const conflict = new StreamError('conflict')

  it('are true only for an error of that condition', () => {
    expect(isStanzaError(notFound, 'item-not-found')).toBe(true)
    expect(isStanzaError(notFound, 'forbidden')).toBe(false)
    expect(isStanzaError(conflict, 'conflict')).toBe(false)
    expect(isStreamError(conflict, 'conflict')).toBe(true)
    expect(isStreamError(conflict, 'host-unknown')).toBe(false)
    expect(isStreamError(notFound, 'conflict' as never)).toBe(false)
  })

  it('without one, are true for any condition', () => {
    expect(isStanzaError(notFound)).toBe(true)
    expect(isStreamError(conflict)).toBe(true)
  })
})

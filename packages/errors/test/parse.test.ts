import xml from '@xmpp/xml'
import { NS_STANZAS, NS_STREAMS } from '@xmpp-errors/conditions'
import { describe, expect, it } from 'vitest'
import { StanzaError, StreamError } from '../src/index.js'

describe('fields only the parser sets', () => {
  const forged = {
    originalCondition: 'forged',
    element: xml('error'),
    texts: { en: 'forged' },
  }

  it('are not reachable through the StanzaError constructor', () => {
    // As options they are unknown names.
    expect(() => new StanzaError('bad-request', forged as object)).toThrow(
      /unknown option "originalCondition"/,
    )
    const third = new (
      StanzaError as unknown as new (
        c: string,
        o: object,
        p: object,
      ) => StanzaError
    )('bad-request', {}, forged)
    expect(third.originalCondition).toBeUndefined()
    expect(third.element).toBeUndefined()
  })

  it('are not reachable through the StreamError constructor', () => {
    // As options they are unknown names.
    expect(() => new StreamError('conflict', forged as object)).toThrow(
      /unknown option "originalCondition"/,
    )
    const third = new (
      StreamError as unknown as new (
        c: string,
        o: object,
        p: object,
      ) => StreamError
    )('conflict', {}, forged)
    expect(third.originalCondition).toBeUndefined()
    expect(third.element).toBeUndefined()
  })

  it('are set by fromElement', () => {
    const stanza = xml('error', { type: 'cancel' }, xml('made-up', { xmlns: NS_STANZAS }))
    const parsed = StanzaError.fromElement(stanza)
    expect(parsed.originalCondition).toBe('made-up')
    expect(parsed.element).toBe(stanza)
    const stream = xml('stream:error', {}, xml('made-up', { xmlns: NS_STREAMS }))
    const streamError = StreamError.fromElement(stream)
    expect(streamError.originalCondition).toBe('made-up')
    expect(streamError.element).toBe(stream)
  })

  it('a wire type outside the RFC list is kept by the parser only', () => {
    const wait = xml('error', { type: 'wait' }, xml('bad-request', { xmlns: NS_STANZAS }))
    expect(StanzaError.fromElement(wait).type).toBe('wait')
    expect(() => new StanzaError('bad-request', { type: 'wait' as 'modify' })).toThrow(TypeError)
  })
})

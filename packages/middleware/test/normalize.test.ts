import xml from '@xmpp/xml'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import { StanzaError, StreamError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { normalize } from '../src/normalize.js'

class TimeoutError extends Error {
  override name = 'TimeoutError'
}

describe('normalize', () => {
  it('keeps StanzaError and StreamError as they are', () => {
    const stanza = new StanzaError('conflict')
    const stream = new StreamError('policy-violation')
    expect(normalize(stanza)).toEqual({ error: stanza, unknown: false })
    expect(normalize(stream)).toEqual({ error: stream, unknown: false })
  })

  it.each([
    ['an Error', new Error('secret path /srv/db')],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a symbol', Symbol('s')],
    ['an object', { message: 'x' }],
  ])('turns %s into internal-server-error, keeping it as the cause', (_, thrown) => {
    const { error, unknown } = normalize(thrown)
    expect(unknown).toBe(true)
    expect(error.condition).toBe('internal-server-error')
    expect(error.text).toBeUndefined()
    expect(error.cause).toBe(thrown)
  })

  it('never throws on hostile values', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap')
        },
        getPrototypeOf() {
          throw new Error('trap')
        },
      },
    )
    expect(normalize(hostile).error.condition).toBe('internal-server-error')
  })

  it("maps xmpp.js's TimeoutError to remote-server-timeout", () => {
    const { error, unknown } = normalize(new TimeoutError('late'))
    expect(error.condition).toBe('remote-server-timeout')
    expect(unknown).toBe(false)
  })

  it('applies map, and falls back to the default when map throws or declines', () => {
    const mapped = new StanzaError('bad-request', { text: 'field x' })
    expect(normalize(new RangeError('x'), () => mapped).error).toBe(mapped)
    expect(normalize(new RangeError('x'), () => undefined).error.condition).toBe(
      'internal-server-error',
    )
    const failure = new Error('map broke')
    const result = normalize(new RangeError('x'), () => {
      throw failure
    })
    expect(result.error.condition).toBe('internal-server-error')
    expect(result.mapError).toBe(failure)
  })

  describe("xmpp.js's StanzaError: an error reply to the handler's own request", () => {
    // What iqCaller rejects with: same name as ours, the peer's <error/> (child of its iq) kept.
    class XmppJsStanzaError extends Error {
      override name = 'StanzaError'
      constructor(readonly element: ReturnType<typeof xml>) {
        super('service-unavailable - Component unavailable')
      }
    }
    const peerError = () => {
      const iq = xml(
        'iq',
        { type: 'error', from: 'peer.localhost', to: 'bot.localhost', id: 'q1' },
        xml(
          'error',
          { type: 'wait' },
          xml('service-unavailable', { xmlns: NS_STANZAS }),
          xml('text', { xmlns: NS_STANZAS }, 'Component unavailable'),
          xml('not-connected', { xmlns: 'xmpp:prosody.im/protocol/component' }),
        ),
      )
      return new XmppJsStanzaError(iq.getChild('error') as ReturnType<typeof xml>)
    }

    it('hides it by default: internal-server-error, the peer kept for the log', () => {
      const thrown = peerError()
      const { error, unknown, upstream } = normalize(thrown)
      expect(error.condition).toBe('internal-server-error')
      // Not the thrown value, whose message and stack hold the peer's text whole.
      expect(error.cause).toBeUndefined()
      expect(unknown).toBe(false)
      expect(upstream).toEqual({
        from: 'peer.localhost',
        condition: 'service-unavailable',
        code: undefined,
        type: 'wait',
        text: 'Component unavailable',
      })
    })

    it('relays the condition and type, never the text or application element', () => {
      const { error, unknown, upstream } = normalize(peerError(), undefined, 'relay')
      expect(error.condition).toBe('service-unavailable')
      // Prosody's type wait is not one RFC 6120 allows for service-unavailable: the default.
      expect(error.kind === 'stanza' && error.type).toBe('cancel')
      expect(error.text).toBeUndefined()
      expect(error.application).toBeUndefined()
      expect(error.toElement().toString()).not.toMatch(/Component unavailable|not-connected/)
      expect(unknown).toBe(false)
      expect(upstream?.from).toBe('peer.localhost')
    })

    it.each([
      ['resource-constraint', 'wait', 'wait'],
      ['not-authorized', 'auth', 'auth'],
      ['item-not-found', 'auth', 'cancel'],
    ])('relays %s of type %s as type %s', (condition, type, relayed) => {
      const iq = xml(
        'iq',
        { type: 'error', from: 'peer.localhost' },
        xml('error', { type }, xml(condition, { xmlns: NS_STANZAS })),
      )
      const thrown = new XmppJsStanzaError(iq.getChild('error') as ReturnType<typeof xml>)
      const { error } = normalize(thrown, undefined, 'relay')
      expect([error.condition, error.kind === 'stanza' && error.type]).toEqual([condition, relayed])
    })

    it('still lets map decide first', () => {
      const mapped = new StanzaError('not-allowed')
      expect(normalize(peerError(), () => mapped, 'relay').error).toBe(mapped)
    })
  })
})

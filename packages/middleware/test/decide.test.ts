import { xml } from '@xmpp/xml'
import { StanzaError, StreamError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { decide } from '../src/decide.js'

const stanzaError = new StanzaError('item-not-found')
const from = 'u@localhost/r'

describe('decide', () => {
  it.each([
    ['iq', 'get'],
    ['iq', 'set'],
    ['message', undefined],
    ['message', 'chat'],
    ['presence', undefined],
    ['presence', 'subscribe'],
  ])('replies to %s of type %s', (name, type) => {
    expect(decide(xml(name, { type, from }), stanzaError)).toEqual({ action: 'reply' })
  })

  it.each(['iq', 'message', 'presence'])('never answers an error %s with an error', (name) => {
    expect(decide(xml(name, { type: 'error', from }), stanzaError)).toEqual({
      action: 'drop',
      reason: 'error-stanza',
    })
  })

  it('never answers an iq result', () => {
    expect(decide(xml('iq', { type: 'result', from }), stanzaError)).toEqual({
      action: 'drop',
      reason: 'iq-result',
    })
  })

  it('never answers a nonza', () => {
    expect(decide(xml('handshake'), stanzaError)).toEqual({ action: 'drop', reason: 'nonza' })
    expect(decide(xml('stream:error'), stanzaError)).toEqual({ action: 'drop', reason: 'nonza' })
  })

  it('closes the stream for a StreamError, whatever the stanza', () => {
    const streamError = new StreamError('policy-violation')
    expect(decide(xml('iq', { type: 'result', from }), streamError)).toEqual({ action: 'close' })
    expect(decide(xml('message', { from }), streamError)).toEqual({ action: 'close' })
  })
})

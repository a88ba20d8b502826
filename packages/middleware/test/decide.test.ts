import xml from '@xmpp/xml'
import { StanzaError, StreamError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { decide, defaultReplyTo } from '../src/decide.js'

const stanzaError = new StanzaError('item-not-found')
const from = 'u@localhost/r'

describe('decide', () => {
  it.each([
    ['iq', 'get'],
    ['iq', 'set'],
    ['message', undefined],
    ['message', 'chat'],
    ['presence', undefined],
    ['presence', 'unavailable'],
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

describe('decide, past RFC 6120', () => {
  const occupant = 'bot.localhost/r1'

  it('drops an error to a groupchat message a room broadcast to us (a full JID)', () => {
    const broadcast = xml('message', { type: 'groupchat', from: 'room@rooms/nick', to: occupant })
    expect(decide(broadcast, stanzaError)).toEqual({ action: 'drop', reason: 'groupchat' })
    expect(decide(broadcast, stanzaError, { ...defaultReplyTo, groupchat: true })).toEqual({
      action: 'reply',
    })
  })

  it('answers a groupchat message sent to us as a room (a bare JID)', () => {
    for (const to of ['room@rooms.localhost', 'rooms.localhost', undefined]) {
      expect(decide(xml('message', { type: 'groupchat', from, to }), stanzaError)).toEqual({
        action: 'reply',
      })
    }
  })

  it('drops an error to a headline unless told', () => {
    const headline = xml('message', { type: 'headline', from, to: 'bot.localhost' })
    expect(decide(headline, stanzaError)).toEqual({ action: 'drop', reason: 'headline' })
    expect(decide(headline, stanzaError, { ...defaultReplyTo, headline: true })).toEqual({
      action: 'reply',
    })
  })

  it.each(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe'])(
    'drops an error to a %s presence unless told',
    (type) => {
      const presence = xml('presence', { type, from, to: 'bot.localhost' })
      expect(decide(presence, stanzaError)).toEqual({ action: 'drop', reason: 'subscription' })
      expect(decide(presence, stanzaError, { ...defaultReplyTo, subscription: true })).toEqual({
        action: 'reply',
      })
    },
  )

  it.each([undefined, 'unavailable'])('answers a presence of type %s (a MUC join, say)', (type) => {
    const presence = xml('presence', { type, from, to: 'room@bot.localhost/nick' })
    expect(decide(presence, stanzaError)).toEqual({ action: 'reply' })
  })

  it('still never answers an error groupchat message, whatever replyTo says', () => {
    const all = { groupchat: true, headline: true, subscription: true }
    expect(decide(xml('message', { type: 'error', from }), stanzaError, all)).toEqual({
      action: 'drop',
      reason: 'error-stanza',
    })
  })
})

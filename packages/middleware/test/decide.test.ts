import xml from '@xmpp/xml'
import { StanzaError, StreamError, type XmlElement } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { defaultReplyTo, outcome, type ReplyTo } from '../src/decide.js'
import type { XmppError } from '../src/normalize.js'
import { ErrorRateLimit } from '../src/rate-limit.js'

const stanzaError = new StanzaError('item-not-found')
const from = 'u@localhost/r'

/** The outcome without a rate limit: what RFC 6120 and `replyTo` allow. */
const outcomeOf = (stanza: XmlElement, error: XmppError, replyTo: ReplyTo = defaultReplyTo) =>
  outcome(stanza, { error, unknown: false }, { replyTo })

describe('outcome', () => {
  it.each([
    ['iq', 'get'],
    ['iq', 'set'],
    ['message', undefined],
    ['message', 'chat'],
    ['presence', undefined],
    ['presence', 'unavailable'],
  ])('replies to %s of type %s', (name, type) => {
    expect(outcomeOf(xml(name, { type, from }), stanzaError)).toMatchObject({ action: 'reply' })
  })

  it.each(['iq', 'message', 'presence'])('never answers an error %s with an error', (name) => {
    expect(outcomeOf(xml(name, { type: 'error', from }), stanzaError)).toMatchObject({
      action: 'drop',
      reason: 'error-stanza',
    })
  })

  it('never answers an iq result', () => {
    expect(outcomeOf(xml('iq', { type: 'result', from }), stanzaError)).toMatchObject({
      action: 'drop',
      reason: 'iq-result',
    })
  })

  it('never answers a nonza', () => {
    expect(outcomeOf(xml('handshake'), stanzaError)).toMatchObject({
      action: 'drop',
      reason: 'nonza',
    })
    expect(outcomeOf(xml('stream:error'), stanzaError)).toMatchObject({
      action: 'drop',
      reason: 'nonza',
    })
  })

  it('closes the stream for a StreamError, whatever the stanza', () => {
    const streamError = new StreamError('policy-violation')
    expect(outcomeOf(xml('iq', { type: 'result', from }), streamError)).toMatchObject({
      action: 'close',
    })
    expect(outcomeOf(xml('message', { from }), streamError)).toMatchObject({ action: 'close' })
  })
})

describe('decide, past RFC 6120', () => {
  const occupant = 'bot.localhost/r1'

  it('drops an error to a groupchat message a room broadcast to us (a full JID)', () => {
    const broadcast = xml('message', { type: 'groupchat', from: 'room@rooms/nick', to: occupant })
    expect(outcomeOf(broadcast, stanzaError)).toMatchObject({ action: 'drop', reason: 'groupchat' })
    expect(outcomeOf(broadcast, stanzaError, { ...defaultReplyTo, groupchat: true })).toMatchObject(
      {
        action: 'reply',
      },
    )
  })

  it('answers a groupchat message sent to us as a room (a bare JID)', () => {
    for (const to of ['room@rooms.localhost', 'rooms.localhost', undefined]) {
      expect(outcomeOf(xml('message', { type: 'groupchat', from, to }), stanzaError)).toMatchObject(
        {
          action: 'reply',
        },
      )
    }
  })

  it('drops an error to a headline unless told', () => {
    const headline = xml('message', { type: 'headline', from, to: 'bot.localhost' })
    expect(outcomeOf(headline, stanzaError)).toMatchObject({ action: 'drop', reason: 'headline' })
    expect(outcomeOf(headline, stanzaError, { ...defaultReplyTo, headline: true })).toMatchObject({
      action: 'reply',
    })
  })

  it.each(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe'])(
    'drops an error to a %s presence unless told',
    (type) => {
      const presence = xml('presence', { type, from, to: 'bot.localhost' })
      expect(outcomeOf(presence, stanzaError)).toMatchObject({
        action: 'drop',
        reason: 'subscription',
      })
      expect(
        outcomeOf(presence, stanzaError, { ...defaultReplyTo, subscription: true }),
      ).toMatchObject({
        action: 'reply',
      })
    },
  )

  it.each([undefined, 'unavailable'])('answers a presence of type %s (a MUC join, say)', (type) => {
    const presence = xml('presence', { type, from, to: 'room@bot.localhost/nick' })
    expect(outcomeOf(presence, stanzaError)).toMatchObject({ action: 'reply' })
  })

  it('still never answers an error groupchat message, whatever replyTo says', () => {
    const all = { groupchat: true, headline: true, subscription: true }
    expect(outcomeOf(xml('message', { type: 'error', from }), stanzaError, all)).toMatchObject({
      action: 'drop',
      reason: 'error-stanza',
    })
  })
})

describe('outcome, within the rate limit', () => {
  const limited = (froms: Array<string | undefined>) => {
    const limit = new ErrorRateLimit({ max: 1, windowMs: 60_000 })
    return froms.map((f) => {
      const stanza = xml('iq', { type: 'get', from: f })
      const o = outcome(
        stanza,
        { error: stanzaError, unknown: false },
        {
          replyTo: defaultReplyTo,
          limit,
          now: 0,
        },
      )
      // The condition replied with, or none when dropped.
      return o.action === 'reply' ? o.error.condition : undefined
    })
  }

  it('counts a bare JID once, whatever its resources and case', () => {
    expect(limited(['u@localhost/a', 'U@LocalHost/b', 'u@localhost'])).toEqual([
      'item-not-found',
      'policy-violation',
      undefined,
    ])
  })

  it('counts a resource that holds a slash or an at sign with its bare JID', () => {
    expect(limited(['u@localhost/a/b@c', 'u@localhost/x'])).toEqual([
      'item-not-found',
      'policy-violation',
    ])
  })

  it('counts other bare JIDs apart, and a stanza without from as one sender', () => {
    expect(
      limited(['u@localhost/a', 'v@localhost/a', 'localhost/a', undefined, undefined]),
    ).toEqual([
      'item-not-found',
      'item-not-found',
      'item-not-found',
      'item-not-found',
      'policy-violation',
    ])
  })
})

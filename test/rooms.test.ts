import { randomBytes } from 'node:crypto'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import { type ErrorRecord, type ErrorsOptions, errors, StanzaError } from '@xmpp-errors/middleware'
import {
  type Client,
  type Component,
  collect,
  connectClient,
  connectComponent,
  type Element,
  expectNoStanza,
  nextStanza,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { componentOf, fromDomain, recorder, servers, until, userOf } from './src/suite.js'

// What errors() does not answer past RFC 6120, through a real server: a room's broadcast to us as
// an occupant (a MUC kicks an occupant that answers with an error), a headline, a subscription
// request; and that the `reply` option answers them after all.
// This file uses components c24–c23 and users u21 and u22.

const NS_MUC = 'http://jabber.org/protocol/muc'
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user'
/** How long a stanza that must not come is waited for. */
const QUIET_MS = 500
const silent = recorder().logger

afterAll(stopAll)

const bodyOf = (s: Element) => s.getChildText('body')
const isGroupchat = (body: string) => (s: Element) =>
  s.name === 'message' && s.attrs.type === 'groupchat' && bodyOf(s) === body

/** Throws on the stanzas whose body (or, for presence, type) names what to throw. */
function thrower(ctx: { stanza: Element; name: string; type: string }): void {
  const what = ctx.name === 'message' ? bodyOf(ctx.stanza) : ctx.type
  if (what === 'unknown' || ctx.type === 'headline' || ctx.type === 'subscribe') {
    throw new Error('the handler broke')
  }
  if (what === 'stanza' || ctx.type === 'unsubscribe') {
    throw new StanzaError('bad-request', { text: 'cannot take that' })
  }
  const to = ctx.stanza.attrs.to ?? ''
  // A join, to us as a room service. (The presences a room broadcasts to us as an occupant are
  // not thrown on: an error to one of them gets an occupant kicked too, and the server cannot
  // tell such a broadcast from a join.)
  if (ctx.name === 'presence' && ctx.type === 'available' && to.startsWith('room@')) {
    throw new StanzaError('not-allowed', { text: 'no joining here' })
  }
  if (ctx.name === 'message' && ctx.type === 'groupchat' && to.startsWith('room@')) {
    // A room service refusing a non-occupant, as XEP-0045 §7.4 says.
    throw new StanzaError('not-acceptable', { text: 'not an occupant' })
  }
}

describe.each(servers)('rooms, headlines and subscriptions through $kind', (server) => {
  const rooms = `rooms.${server.domain}`
  const c22 = componentOf(server, 'c22')
  const c23 = componentOf(server, 'c23')
  const c24 = componentOf(server, 'c24')
  let user: Client
  let other: Client

  async function withErrors(domain: string, options: ErrorsOptions = {}) {
    const records: ErrorRecord[] = []
    const component = await connectComponent(server, domain, (c) => {
      c.middleware.use(errors({ logger: silent, ...options, onError: (r) => records.push(r) }))
      c.middleware.use((ctx, next) => {
        thrower(ctx as never)
        return next()
      })
    })
    return { component, records }
  }

  /** c23 with the defaults: a room service, and a sender whose requests get c24's replies. */
  let roomService: Component
  let roomServiceRecords: ErrorRecord[]

  beforeAll(async () => {
    user = await connectClient(server, userOf(server, 'u21'), { resource: 'rooms' })
    other = await connectClient(server, userOf(server, 'u22'), { resource: 'rooms' })
    ;({ component: roomService, records: roomServiceRecords } = await withErrors(c23))
  })

  describe('a bot in a room', () => {
    const room = `errors-${randomBytes(4).toString('hex')}@${rooms}`
    const bot = `bot@${c22}/occupant`
    let component: Component
    let records: ErrorRecord[]

    /** Joins `room` as `nick` and resolves on the room's self-presence (status 110). */
    async function join(entity: Client | Component, nick: string, from?: string) {
      const self = nextStanza(
        entity,
        (s) =>
          s.name === 'presence' &&
          s.attrs.from === `${room}/${nick}` &&
          s.attrs.type !== 'error' &&
          s
            .getChild('x', NS_MUC_USER)
            ?.getChildren('status')
            .some((status: Element) => status.attrs.code === '110') === true,
      )
      await entity.send(
        xml(
          'presence',
          { to: `${room}/${nick}`, ...(from && { from }) },
          xml('x', { xmlns: NS_MUC }),
        ),
      )
      return self
    }

    beforeAll(async () => {
      ;({ component, records } = await withErrors(c22))
      await join(component, 'bot', bot)
      await join(user, 'user')
    })

    it.each([
      ['unknown', 'an unknown exception', 'internal-server-error'],
      ['stanza', 'a StanzaError', 'bad-request'],
    ])('sends no error to the room after %s (%s) and stays in it', async (body, _, condition) => {
      const kicked = collect(
        user,
        (s) =>
          s.name === 'presence' && s.attrs.from === `${room}/bot` && s.attrs.type === 'unavailable',
      )
      const received = nextStanza(component, isGroupchat(body))
      const before = records.length
      await user.send(xml('message', { to: room, type: 'groupchat' }, xml('body', {}, body)))
      const broadcast = await received
      expect(broadcast.attrs.to).toBe(bot)
      await until('the record of the throw', () => records.length > before)
      expect(records.slice(before)).toMatchObject([
        { action: 'drop', reason: 'groupchat', xmpp: { condition }, stanza: { to: bot } },
      ])

      // Still an occupant: the room still broadcasts to the bot, and takes its messages.
      const after = `after ${body}`
      const next = nextStanza(component, isGroupchat(after))
      await user.send(xml('message', { to: room, type: 'groupchat' }, xml('body', {}, after)))
      await next
      const reply = `bot heard ${body}`
      const echoed = nextStanza(
        user,
        (s) => isGroupchat(reply)(s) && s.attrs.from === `${room}/bot`,
      )
      await component.send(
        xml('message', { from: bot, to: room, type: 'groupchat' }, xml('body', {}, reply)),
      )
      await echoed
      expect(kicked.stop()).toEqual([])
    })
  })

  describe('with the defaults', () => {
    let records: ErrorRecord[]

    beforeAll(() => {
      records = roomServiceRecords
    })

    it('answers a groupchat message sent to it as a room (a bare JID) with not-acceptable', async () => {
      const reply = nextStanza(user, (s) => s.attrs.id === 'gc-bare')
      await user.send(
        xml(
          'message',
          { to: `room@${c23}`, type: 'groupchat', id: 'gc-bare' },
          xml('body', {}, 'hi'),
        ),
      )
      const got = await reply
      expect(got.attrs.type).toBe('error')
      expect(got.getChild('error')?.getChild('not-acceptable', NS_STANZAS)).toBeDefined()
    })

    it('refuses a join (an available presence) with a presence error, as a MUC service does', async () => {
      const reply = nextStanza(
        user,
        (s) => s.name === 'presence' && s.attrs.from === `room@${c23}/me`,
      )
      await user.send(xml('presence', { to: `room@${c23}/me` }, xml('x', { xmlns: NS_MUC })))
      const got = await reply
      expect(got.attrs.type).toBe('error')
      expect(got.getChild('error')?.getChild('not-allowed', NS_STANZAS)).toBeDefined()
    })

    it('sends no error to a headline, nor to a subscription request', async () => {
      const before = records.length
      const quiet = expectNoStanza(user, fromDomain(c23), QUIET_MS)
      await user.send(
        xml('message', { to: `bot@${c23}`, type: 'headline' }, xml('body', {}, 'news')),
      )
      await user.send(xml('presence', { to: `bot@${c23}`, type: 'subscribe' }))
      await user.send(xml('presence', { to: `bot@${c23}`, type: 'unsubscribe' }))
      await until('three records', () => records.length >= before + 3)
      await quiet
      expect(
        records.slice(before).map((r) => [r.stanza.type, r.action, r.reason, r.xmpp.condition]),
      ).toEqual([
        ['headline', 'drop', 'headline', 'internal-server-error'],
        ['subscribe', 'drop', 'subscription', 'internal-server-error'],
        ['unsubscribe', 'drop', 'subscription', 'bad-request'],
      ])
    })
  })

  describe('with reply: { groupchat, headline, subscription } all true', () => {
    let records: ErrorRecord[]

    beforeAll(async () => {
      ;({ records } = await withErrors(c24, {
        reply: { groupchat: true, headline: true, subscription: true },
      }))
    })

    it('answers each with an error', async () => {
      const isError = (s: Element) => fromDomain(c24)(s) && s.attrs.type === 'error'
      const replies = collect(other, isError)
      // A server keeps a presence error to a user's bare JID to itself: this subscription request
      // comes from a component, which gets the error reply as sent.
      const presenceError = nextStanza(roomService, isError)
      const groupchat = xml('body', {}, 'unknown')
      await other.send(xml('message', { to: `bot@${c24}/occupant`, type: 'groupchat' }, groupchat))
      await other.send(xml('message', { to: `bot@${c24}`, type: 'headline' }, xml('body', {}, 'x')))
      await roomService.send(
        xml('presence', { from: `someone@${c23}`, to: `bot@${c24}`, type: 'subscribe' }),
      )
      await until('two message error replies', () => replies.stanzas.length >= 2)
      expect(replies.stop().map((s) => s.name)).toEqual(['message', 'message'])
      expect((await presenceError).name).toBe('presence')
      // Two senders: their order at c24 is the server's.
      expect(records.map((r) => [r.stanza.type, r.action]).sort()).toEqual([
        ['groupchat', 'reply'],
        ['headline', 'reply'],
        ['subscribe', 'reply'],
      ])
    })
  })
})

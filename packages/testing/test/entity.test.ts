import type { Component } from '@xmpp/component'
import xml from '@xmpp/xml'
import { errors, StanzaError, StreamError } from '@xmpp-errors/middleware'
import { describe, expect, it } from 'vitest'
import { matchers, parseStrict, type SetupTools, testClient, testComponent } from '../src/index.js'
import '../src/vitest.js'

const NS = 'urn:example:notes'

/** A user's setup, as production runs it. */
function notes(c: Component, { logger }: SetupTools) {
  c.middleware.use(errors({ logger }))
  c.iqCallee.get(NS, 'get', (ctx) => {
    const key = ctx.element.attrs.key
    if (key === 'close') throw new StreamError('policy-violation', { text: 'go away' })
    if (key === 'bug') throw new Error('SECRET')
    throw new StanzaError('item-not-found', { text: `no note ${key}` })
  })
  c.middleware.use(async (ctx, next) => {
    // Two answers to one message: what request() must refuse.
    if (ctx.name === 'message' && ctx.stanza.getChildText('body') === 'twice') {
      await c.send(xml('message', { to: ctx.from?.toString() }, xml('body', {}, 'one')))
      await c.send(xml('message', { to: ctx.from?.toString() }, xml('body', {}, 'two')))
      return
    }
    return next()
  })
}

const get = (key: string, id?: string) =>
  xml('iq', { type: 'get', id }, xml('get', { xmlns: NS, key }))

describe('testComponent', () => {
  it('is a real component, online on a socket in memory, and stops leaving nothing', async () => {
    const t = await testComponent(notes, { domain: 'notes.example.org' })
    expect(t.entity.status).toBe('online')
    expect(String(t.entity.jid)).toBe('notes.example.org')
    expect(t.statuses).toEqual(['connecting', 'connect', 'opening', 'open', 'online'])
    await t.stop()
    expect(t.entity.status).toBe('offline')
  })

  it('sends a stanza and gets what was written in answer, and the records, for that stanza', async () => {
    const t = await testComponent(notes)
    const [first, second] = [t.feed(get('a', 'one')), t.feed(get('b', 'two'))]
    await t.settle()
    expect(first).toBeErrorReply('item-not-found', { type: 'cancel', text: 'no note a' })
    expect(second).toBeErrorReply('item-not-found', { text: /no note b/ })
    expect(first.records.map((r) => r.stanza.id)).toEqual(['one'])
    expect(second.records.map((r) => r.stanza.id)).toEqual(['two'])
    expect(first).toHaveRecorded({ condition: 'item-not-found', level: 'warn', times: 1 })
    expect(t.records).toHaveLength(2)
    for (const data of t.written) parseStrict(data)
    await t.stop()
  })

  it('takes a string of XML as the wire carries it, and fills in to and from on elements', async () => {
    const t = await testComponent(notes)
    const exchange = await t.send(
      `<iq type='get' id='s' from='u@example.org/r' to='${t.domain}'><get xmlns='${NS}' key='k'/></iq>`,
    )
    expect(exchange.elements[0]?.attrs).toMatchObject({ to: 'u@example.org/r', from: t.domain })
    const reply = await t.request(get('k'))
    expect(reply.attrs).toMatchObject({ to: 'peer@example.org/test', id: 'test-1' })
    await t.stop()
  })

  it('hides an unknown error, and closes the stream on a StreamError, then reconnects', async () => {
    const t = await testComponent(notes)
    const bug = await t.request(get('bug'))
    expect(bug).toBeErrorReply('internal-server-error', { type: 'cancel' })
    expect(bug.toString()).not.toContain('SECRET')
    const closing = await t.send(get('close'))
    expect(closing).toHaveClosedStream('policy-violation', {
      by: 'entity',
      text: 'go away',
      after: 'reconnect',
    })
    expect(closing).toHaveRecorded({ kind: 'stream', action: 'close', times: 1 })
    expect(t.entity.status).toBe('online')
    expect(t.connections).toBe(2)
    await t.stop()
  })

  it('ends in stop when errors() is told to stop after a stream error', async () => {
    const t = await testComponent((c: Component, { logger }: SetupTools) => {
      c.middleware.use(errors({ logger, afterStreamError: 'stop' }))
      c.middleware.use((ctx, next) => {
        if (ctx.name === 'message') throw new StreamError('not-authorized')
        return next()
      })
    })
    expect(await t.send(xml('message', {}, xml('body', {}, 'x')))).toHaveClosedStream(
      'not-authorized',
      { after: 'stop' },
    )
    expect(t.entity.status).toBe('offline')
    await expect(t.send(xml('message'))).rejects.toThrow(/offline, not connected; nothing was sent/)
    await t.stop()
  })

  it('request() fails clearly on no reply and on several, with what was written', async () => {
    const t = await testComponent(notes)
    await expect(t.request(xml('iq', { type: 'result', id: 'r' }))).rejects.toThrow(
      /request\(\): no reply to <iq .*id="r".*\n.*written: nothing/s,
    )
    await expect(t.request(xml('message', {}, xml('body', {}, 'twice')))).rejects.toThrow(
      /request\(\): 2 replies[\s\S]*<body>one<\/body>[\s\S]*<body>two<\/body>/,
    )
    await t.stop()
  })

  it('reports what the entity threw while reading, which would end the process', async () => {
    const t = await testComponent(notes)
    const exchange = await t.send(xml('message', { from: 'foo@' }, xml('body', {}, 'x')))
    expect(exchange.threw?.error).toBeInstanceOf(Error)
    await t.stop()
  })
})

describe('testClient', () => {
  it('is an @xmpp/client 0.14 entity, bound after SASL, answering with errors()', async () => {
    const t = await testClient(
      (c: Component, { logger }: SetupTools) => {
        c.middleware.use(errors({ logger }))
        c.iqCallee.get(NS, 'get', () => {
          throw new StanzaError('forbidden', { text: 'not yours' })
        })
      },
      { username: 'bot', resource: 'r1' },
    )
    expect(String(t.entity.jid)).toBe('bot@example.org/r1')
    expect(await t.request(get('x'))).toBeErrorReply('forbidden', {
      type: 'auth',
      text: 'not yours',
    })
    await t.stop()
    expect(t.entity.status).toBe('offline')
  })
})

describe('matchers', () => {
  it('print the reply XML and the records when they fail', async () => {
    const t = await testComponent(notes)
    const exchange = await t.send(get('k', 'm'))
    const state = { isNot: false }
    const wrong = matchers.toBeErrorReply.call(state, exchange, 'forbidden', { text: /x/ })
    expect(wrong.pass).toBe(false)
    expect(wrong.message()).toContain('condition is item-not-found')
    expect(wrong.message()).toContain(
      '<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>',
    )
    expect(wrong.message()).toMatch(
      /records:\n {2}warn reply stanza item-not-found \(cancel\) "no note k"/,
    )
    const none = matchers.toHaveRecorded.call(state, exchange, { level: 'error' })
    expect(none.pass).toBe(false)
    expect(none.message()).toContain('found 0')
    const open = matchers.toHaveClosedStream.call(state, exchange, 'conflict')
    expect(open.pass).toBe(false)
    expect(open.message()).toContain('closes: none')
    expect(() => expect(exchange).toBeErrorReply('bad-request')).toThrow(/<iq /)
    expect(exchange).not.toBeErrorReply('bad-request')
    await t.stop()
  })
})

import type { Component } from '@xmpp/component'
import xml, { type Element } from '@xmpp/xml'
import { NS_STREAMS } from '@xmpp-errors/conditions'
import { StanzaError, StreamError, type XmlElement } from '@xmpp-errors/errors'
import { testComponent } from '@xmpp-errors/testing'
import { describe, expect, it } from 'vitest'
import '@xmpp-errors/testing/vitest'
import { type ErrorsOptions, errors } from '../src/middleware.js'
import type { ErrorRecord } from '../src/record.js'

// errors() in a real @xmpp/component on a socket in memory: behind xmpp.js's IQ handler for IQ
// get and set (a later use() runs inside it), in front of it for everything else.

const NS = 'urn:example:q'
const DOMAIN = 'c.example.org'
const FROM = 'u@example.org/r'

function get(id = 'q1', payload: Element = xml('q', { xmlns: NS }, xml('x'))) {
  return xml('iq', { type: 'get', id, from: FROM, to: DOMAIN }, payload)
}

/** A component whose every stanza after errors() meets `handler`, and the records errors() made. */
async function throwingComponent(handler: () => unknown, options: ErrorsOptions = {}) {
  const records: ErrorRecord[] = []
  const logger = { debug: () => {}, warn: () => {}, error: () => {} }
  const middleware = errors({ logger, onError: (r) => records.push(r), ...options })
  const t = await testComponent(
    (c: Component) => {
      c.middleware.use(middleware)
      // The server's <handshake/> goes through the middleware too.
      c.middleware.use((ctx, next) => (ctx.name === 'handshake' ? next() : handler()))
    },
    { domain: DOMAIN },
  )
  records.length = 0
  return { t, records, middleware }
}

const throwing = (error: unknown) => () => Promise.reject(error)
const childNames = (el: XmlElement | undefined) =>
  el?.children.filter((c): c is XmlElement => typeof c !== 'string').map((c) => c.name)

describe('errors() on a stanza xmpp.js routes to no IQ handler', () => {
  it('answers a message with the error reply, and records it once', async () => {
    const { t, records } = await throwingComponent(throwing(new StanzaError('item-not-found')))
    const exchange = await t.send(xml('message', { id: 'm1', from: FROM, to: DOMAIN }))
    expect(exchange).toBeErrorReply('item-not-found', { type: 'cancel', by: DOMAIN })
    expect(exchange.elements[0]?.attrs).toEqual({
      type: 'error',
      id: 'm1',
      from: DOMAIN,
      to: FROM,
    })
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ action: 'reply', level: 'warn' })
    await t.stop()
  })

  it('drops an error to a result, with its reason', async () => {
    const { t, records } = await throwingComponent(throwing(new Error('x')))
    const exchange = await t.send(xml('iq', { type: 'result', id: 'r', from: FROM, to: DOMAIN }))
    expect(exchange.written).toEqual([])
    expect(records[0]).toMatchObject({ action: 'drop', reason: 'iq-result', level: 'error' })
    await t.stop()
  })

  it('closes the stream on a StreamError, and the component reconnects', async () => {
    const { t, records } = await throwingComponent(throwing(new StreamError('policy-violation')))
    const exchange = await t.send(get())
    expect(exchange.elements.map((e) => e.name)).toEqual(['stream:error'])
    const [condition] = (exchange.elements[0]?.children ?? []) as XmlElement[]
    expect(condition?.attrs.xmlns).toBe(NS_STREAMS)
    expect(exchange).toHaveClosedStream('policy-violation', { by: 'entity', after: 'reconnect' })
    expect(records[0]).toMatchObject({ action: 'close' })
    await t.stop()
  })
})

describe("errors() inside xmpp.js's IQ handler", () => {
  it('answers with the payload echoed, and records it once', async () => {
    const { t, records } = await throwingComponent(throwing(new StanzaError('item-not-found')))
    const reply = await t.request(get())
    expect(reply.attrs).toEqual({ type: 'error', id: 'q1', from: DOMAIN, to: FROM })
    expect(childNames(reply)).toEqual(['q', 'error'])
    expect(records).toHaveLength(1)
    await t.stop()
  })

  it('empties a payload that is not to be echoed', async () => {
    const { t } = await throwingComponent(throwing(new StanzaError('bad-request')), {
      echo: { iq: false },
    })
    const reply = await t.request(get())
    expect(reply).toBeErrorReply('bad-request')
    const payload = reply.getChild('q', NS)
    expect(payload?.attrs).toEqual({ xmlns: NS })
    expect(payload?.children).toEqual([])
    await t.stop()
  })

  it('sends the reply itself when the payload is an <error/>, without the echo', async () => {
    const { t } = await throwingComponent(throwing(new Error('boom')))
    const reply = await t.request(get('q2', xml('error', { xmlns: NS })))
    expect(reply).toBeErrorReply('internal-server-error')
    expect(childNames(reply)).toEqual(['error'])
    await t.stop()
  })

  it('answers an IQ no route answered with service-unavailable, through the same path', async () => {
    const { t, records } = await throwingComponent(async () => undefined)
    expect(await t.request(get())).toBeErrorReply('service-unavailable')
    expect(records[0]).toMatchObject({ action: 'reply' })
    await t.stop()
  })

  it('rate limit: a last warning in place of the error, then nothing', async () => {
    const { t, records, middleware } = await throwingComponent(
      throwing(new StanzaError('item-not-found')),
      { rateLimit: { max: 1, windowMs: 60_000 } },
    )
    expect(await t.request(get('a'))).toBeErrorReply('item-not-found')
    expect(await t.request(get('b'))).toBeErrorReply('policy-violation', { type: 'wait' })
    expect((await t.send(get('c'))).written).toEqual([])
    expect(records.map((r) => [r.action, r.reason, r.level, r.xmpp.condition])).toEqual([
      ['reply', undefined, 'warn', 'item-not-found'],
      ['reply', undefined, 'warn', 'policy-violation'],
      ['drop', 'rate-limited', 'debug', 'item-not-found'],
    ])
    expect(middleware.rateLimit?.dropped).toBe(1)
    expect(middleware.rateLimit?.senders).toBe(1)
    await t.stop()
  })

  it('hands out what the limit counted, never the limiter', async () => {
    const { t, middleware } = await throwingComponent(throwing(new StanzaError('item-not-found')), {
      rateLimit: { max: 1, windowMs: 60_000 },
    })
    const counts = middleware.rateLimit
    expect(counts).toBeDefined()
    expect(Object.keys(counts ?? {}).sort()).toEqual(['dropped', 'options', 'senders'])
    expect('check' in (counts ?? {})).toBe(false)
    // Read-only: neither a count nor an option can be set from outside.
    expect(() => Object.assign(counts ?? {}, { dropped: 0 })).toThrow(TypeError)
    expect(() => Object.assign(counts?.options ?? {}, { max: 1_000 })).toThrow(TypeError)
    await t.request(get('a'))
    expect(counts?.senders).toBe(1)
    await t.stop()
  })
})

describe('an error built once and thrown for every request', () => {
  it('answers each stanza from the stanza itself, and is left as it was', async () => {
    const noSuchNote = new StanzaError('item-not-found', {
      text: { en: 'no such note', de: 'keine Notiz' },
    })
    const before = { ...noSuchNote }
    const { t, records } = await throwingComponent(throwing(noSuchNote))
    const ask = (id: string, to: string, lang: string) =>
      t.request(
        xml('iq', { type: 'get', id, from: FROM, to, 'xml:lang': lang }, xml('q', { xmlns: NS })),
      )
    const first = await ask('a', DOMAIN, 'de')
    const second = await ask('b', `notes@${DOMAIN}/x`, 'en')
    expect([first.attrs.id, first.attrs.to]).toEqual(['a', FROM])
    expect([second.attrs.id, second.attrs.to]).toEqual(['b', FROM])
    expect(first).toBeErrorReply('item-not-found', { by: DOMAIN, text: 'keine Notiz' })
    expect(second).toBeErrorReply('item-not-found', { by: `notes@${DOMAIN}`, text: 'no such note' })
    expect(records.map((r) => r.stanza.id)).toEqual(['a', 'b'])
    expect({ ...noSuchNote }).toEqual(before)
    await t.stop()
  })
})

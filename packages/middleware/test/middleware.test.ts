import xml, { type Element } from '@xmpp/xml'
import { NS_STANZAS, NS_STREAMS } from '@xmpp-errors/conditions'
import { StanzaError, StreamError, type XmlElement } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { type ErrorsOptions, errors } from '../src/middleware.js'
import type { ErrorRecord } from '../src/record.js'
import type { Context, XmppEntity } from '../src/types.js'

const NS = 'urn:example:q'

function entity() {
  const sent: XmlElement[] = []
  const lifecycle: string[] = []
  const e: XmppEntity = {
    send: async (element) => {
      sent.push(element)
    },
    close: async () => {
      lifecycle.push('close')
    },
    disconnect: async () => {
      lifecycle.push('disconnect')
    },
    on: () => undefined,
    listenerCount: () => 1,
  }
  return { e, sent, lifecycle }
}

function context(stanza: XmlElement, e: XmppEntity, element?: XmlElement): Context {
  return {
    stanza,
    entity: e,
    name: stanza.name,
    id: String(stanza.attrs.id ?? ''),
    type: String(stanza.attrs.type ?? ''),
    from: null,
    to: null,
    ...(element ? { element } : {}),
  }
}

function get(id = 'q1', payload: Element = xml('q', { xmlns: NS }, xml('x'))) {
  return xml('iq', { type: 'get', id, from: 'u@example.org/r', to: 'c.example.org' }, payload)
}

function setup(options: ErrorsOptions = {}) {
  const records: ErrorRecord[] = []
  const logger = { debug: () => {}, warn: () => {}, error: () => {} }
  const middleware = errors({ logger, onError: (r) => records.push(r), ...options })
  return { middleware, records }
}

const throwing = (error: unknown) => () => Promise.reject(error)
const never = Symbol('pending')
const settled = (p: Promise<unknown>) =>
  Promise.race([p, new Promise((resolve) => setTimeout(() => resolve(never), 20))])

describe('errors(), outside xmpp.js IQ handler', () => {
  it('resolves to the error reply stanza, with the payload echoed, and records it once', async () => {
    const { middleware, records } = setup()
    const { e } = entity()
    const stanza = get()
    const reply = (await middleware(
      context(stanza, e),
      throwing(new StanzaError('item-not-found')),
    )) as XmlElement
    expect(reply.name).toBe('iq')
    expect(reply.attrs).toEqual({
      type: 'error',
      id: 'q1',
      from: 'c.example.org',
      to: 'u@example.org/r',
    })
    expect(reply.children.map((c) => (c as XmlElement).name)).toEqual(['q', 'error'])
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ action: 'reply', level: 'warn' })
  })

  it('drops an error to a result, with its reason, and resolves to undefined', async () => {
    const { middleware, records } = setup()
    const { e, sent } = entity()
    const result = xml('iq', {
      type: 'result',
      id: 'r',
      from: 'u@example.org',
      to: 'c.example.org',
    })
    expect(await middleware(context(result, e), throwing(new Error('x')))).toBeUndefined()
    expect(sent).toEqual([])
    expect(records[0]).toMatchObject({ action: 'drop', reason: 'iq-result', level: 'error' })
  })

  it('closes the stream on a StreamError, and never settles', async () => {
    const { middleware, records } = setup()
    const { e, sent, lifecycle } = entity()
    const pending = middleware(context(get(), e), throwing(new StreamError('policy-violation')))
    expect(await settled(pending)).toBe(never)
    expect(sent.map((s) => s.name)).toEqual(['stream:error'])
    const [condition] = (sent[0]?.children ?? []) as XmlElement[]
    expect(condition?.attrs.xmlns).toBe(NS_STREAMS)
    expect(lifecycle).toEqual(['close', 'disconnect'])
    expect(records[0]).toMatchObject({ action: 'close' })
  })
})

describe("errors(), inside xmpp.js's IQ handler", () => {
  it('returns the <error/> for the handler to wrap, and empties a payload not echoed', async () => {
    const { middleware } = setup({ echo: { iq: false } })
    const { e, sent } = entity()
    const stanza = get()
    const payload = stanza.children[0] as XmlElement
    const element = (await middleware(
      context(stanza, e, payload),
      throwing(new StanzaError('bad-request')),
    )) as XmlElement
    expect(element.name).toBe('error')
    expect((element.children[0] as XmlElement).name).toBe('bad-request')
    expect((element.children[0] as XmlElement).attrs.xmlns).toBe(NS_STANZAS)
    expect(payload.attrs).toEqual({ xmlns: NS })
    expect(payload.children).toEqual([])
    expect(sent).toEqual([])
  })

  it('sends the reply itself when the payload is an <error/>, without the echo', async () => {
    const { middleware } = setup()
    const { e, sent } = entity()
    const payload = xml('error', { xmlns: NS })
    const stanza = get('q2', payload)
    const pending = middleware(context(stanza, e, payload), throwing(new Error('boom')))
    expect(await settled(pending)).toBe(never)
    expect(sent).toHaveLength(1)
    const names = sent[0]?.children.map((c) => (c as XmlElement).name)
    expect(names).toEqual(['error'])
  })

  it('answers an IQ no route answered with service-unavailable, through the same path', async () => {
    const { middleware, records } = setup()
    const { e } = entity()
    const stanza = get()
    const element = (await middleware(
      context(stanza, e, stanza.children[0] as XmlElement),
      async () => undefined,
    )) as XmlElement
    expect((element.children[0] as XmlElement).name).toBe('service-unavailable')
    expect(records[0]).toMatchObject({ action: 'reply' })
  })

  it('rate limit: a last warning in place of the error, then drops that never settle', async () => {
    const { middleware, records } = setup({ rateLimit: { max: 1, windowMs: 60_000 } })
    const { e } = entity()
    const run = (id: string) => {
      const stanza = get(id)
      return middleware(
        context(stanza, e, stanza.children[0] as XmlElement),
        throwing(new StanzaError('item-not-found')),
      )
    }
    const first = (await run('a')) as XmlElement
    expect((first.children[0] as XmlElement).name).toBe('item-not-found')
    const warning = (await run('b')) as XmlElement
    expect((warning.children[0] as XmlElement).name).toBe('policy-violation')
    expect(warning.attrs.type).toBe('wait')
    expect(await settled(run('c'))).toBe(never)
    expect(records.map((r) => [r.action, r.reason, r.level, r.xmpp.condition])).toEqual([
      ['reply', undefined, 'warn', 'item-not-found'],
      ['reply', undefined, 'warn', 'policy-violation'],
      ['drop', 'rate-limited', 'debug', 'item-not-found'],
    ])
    expect(middleware.rateLimit?.dropped).toBe(1)
    expect(middleware.rateLimit?.senders).toBe(1)
  })

  it('hands out what the limit counted, never the limiter', async () => {
    const { middleware } = setup({ rateLimit: { max: 1, windowMs: 60_000 } })
    const counts = middleware.rateLimit
    expect(counts).toBeDefined()
    expect(Object.keys(counts ?? {}).sort()).toEqual(['dropped', 'options', 'senders'])
    expect('check' in (counts ?? {})).toBe(false)
    // Read-only: neither a count nor an option can be set from outside.
    expect(() => Object.assign(counts ?? {}, { dropped: 0 })).toThrow(TypeError)
    expect(() => Object.assign(counts?.options ?? {}, { max: 1_000 })).toThrow(TypeError)
    const { e } = entity()
    const stanza = get('a')
    await middleware(
      context(stanza, e, stanza.children[0] as XmlElement),
      throwing(new StanzaError('item-not-found')),
    )
    expect(counts?.senders).toBe(1)
  })
})

describe('an error built once and thrown for every request', () => {
  it('answers each stanza from the stanza itself, and is left as it was', async () => {
    const noSuchNote = new StanzaError('item-not-found', {
      text: { en: 'no such note', de: 'keine Notiz' },
    })
    const before = { ...noSuchNote }
    const { middleware, records } = setup()
    const { e } = entity()
    const ask = (id: string, to: string, lang: string) =>
      middleware(
        context(
          xml(
            'iq',
            { type: 'get', id, from: 'u@example.org/r', to, 'xml:lang': lang },
            xml('q', { xmlns: NS }),
          ),
          e,
        ),
        throwing(noSuchNote),
      ) as Promise<XmlElement>
    const first = await ask('a', 'c.example.org', 'de')
    const second = await ask('b', 'notes@c.example.org/x', 'en')
    const errorOf = (reply: XmlElement) =>
      reply.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === 'error') as
        | Element
        | undefined
    expect([first.attrs.id, first.attrs.to]).toEqual(['a', 'u@example.org/r'])
    expect([second.attrs.id, second.attrs.to]).toEqual(['b', 'u@example.org/r'])
    expect(errorOf(first)?.attrs.by).toBe('c.example.org')
    expect(errorOf(second)?.attrs.by).toBe('notes@c.example.org')
    expect(errorOf(first)?.getChildText('text', NS_STANZAS)).toBe('keine Notiz')
    expect(errorOf(second)?.getChildText('text', NS_STANZAS)).toBe('no such note')
    expect(records.map((r) => r.stanza.id)).toEqual(['a', 'b'])
    expect({ ...noSuchNote }).toEqual(before)
  })
})

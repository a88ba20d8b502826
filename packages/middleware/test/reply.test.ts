import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import xml from '@xmpp/xml'
import { StanzaError, type XmlElement } from '@xmpp-errors/errors'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defaultEcho } from '../src/middleware.js'
import {
  defaultBy,
  echoFor,
  errorElementFor,
  MAX_DEFAULT_BY_LENGTH,
  replyFor,
  trimEchoedPayload,
} from '../src/reply.js'

const options = { by: true, echo: { ...defaultEcho }, lang: 'en', legacyCodes: false }
const request = () =>
  xml(
    'iq',
    { type: 'get', id: 'a1', from: 'u@localhost/r', to: 'svc.localhost' },
    xml('query', { xmlns: 'urn:x', node: 'n' }, xml('item', {}, 'v')),
  )

describe('error replies', () => {
  it('swaps from and to, keeps the id, and adds by = the address the stanza was sent to', () => {
    const stanza = request()
    const error = errorElementFor(stanza, new StanzaError('item-not-found'), options)
    const reply = replyFor(stanza, error, [])
    expect(reply.toString()).toBe(
      '<iq type="error" from="svc.localhost" to="u@localhost/r" id="a1">' +
        '<error type="cancel" by="svc.localhost">' +
        '<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>',
    )
  })

  it('keeps an explicit by, and leaves by out when switched off', () => {
    const stanza = request()
    const own = errorElementFor(stanza, new StanzaError('conflict', { by: 'x@y' }), options)
    expect(own.attrs.by).toBe('x@y')
    const off = errorElementFor(stanza, new StanzaError('conflict'), { ...options, by: false })
    expect(off.attrs.by).toBeUndefined()
  })

  it('echoes an IQ payload by default, but not message or presence children', () => {
    expect(echoFor(request(), defaultEcho)).toHaveLength(1)
    const message = xml('message', { from: 'a@b' }, xml('body', {}, 'hello'))
    expect(echoFor(message, defaultEcho)).toEqual([])
    expect(echoFor(message, { ...defaultEcho, message: true })).toHaveLength(1)
  })

  it('does not echo a payload over the size cap', () => {
    const big = xml('iq', { type: 'set' }, xml('q', { xmlns: 'urn:x' }, 'x'.repeat(5000)))
    expect(echoFor(big, defaultEcho)).toEqual([])
    expect(echoFor(big, { ...defaultEcho, maxLength: 10_000 })).toHaveLength(1)
  })

  it('never echoes an <error/> child', () => {
    const stanza = xml('message', {}, xml('error', { type: 'cancel' }), xml('body', {}, 'b'))
    expect(echoFor(stanza, { ...defaultEcho, message: true }).map((c) => c.name)).toEqual(['body'])
  })

  it("empties the payload xmpp.js's IQ handler will echo when it must not be echoed", () => {
    const stanza = request()
    const payload = stanza.getChildElements()[0]
    if (!payload) throw new Error('no payload')
    trimEchoedPayload(stanza, payload, { ...defaultEcho, iq: false })
    expect(payload.toString()).toBe('<query xmlns="urn:x"/>')
    const kept = request()
    const keptPayload = kept.getChildElements()[0]
    if (!keptPayload) throw new Error('no payload')
    trimEchoedPayload(kept, keptPayload, defaultEcho)
    expect(keptPayload.toString()).toBe('<query xmlns="urn:x" node="n"><item>v</item></query>')
  })
})

describe('the echo size check', () => {
  it('agrees with the serialized length, for any payload', () => {
    const text = fc.string({ maxLength: 40 })
    const name = fc.constantFrom('a', 'query', 'x:item', 'body')
    const leaf = fc
      .record({ name, attr: text, text })
      .map((p) => xml(p.name, { k: p.attr }, p.text))
    const payload = fc.array(
      fc.tuple(name, fc.array(leaf, { maxLength: 6 })).map(([n, kids]) => xml(n, {}, ...kids)),
      { minLength: 1, maxLength: 3 },
    )
    fc.assert(
      fc.property(payload, fc.integer({ min: 0, max: 600 }), (children, maxLength) => {
        const stanza = xml('iq', { type: 'get' }, ...children)
        const length = children.reduce((sum, child) => sum + child.toString().length, 0)
        const echoed = echoFor(stanza, { ...defaultEcho, maxLength })
        expect(echoed.length > 0).toBe(length <= maxLength)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('replies to a stanza parsed with another copy of ltx', () => {
  it("are of that stanza's element class, which is what xmpp.js tests replies against", async () => {
    // ltx's ESM build: another Element class than the CommonJS one @xmpp/xml loads.
    const path = createRequire(import.meta.resolve('@xmpp/xml')).resolve('ltx/src/Element.js')
    const { default: OtherElement } = (await import(pathToFileURL(path).href)) as {
      default: new (name: string, attrs?: Record<string, string>) => XmlElement
    }
    const stanza = new OtherElement('message', {
      id: 'm1',
      from: 'u@localhost/r',
      to: 'svc.localhost',
    })
    const error = errorElementFor(stanza, new StanzaError('item-not-found'), options)
    expect(error).toBeInstanceOf(OtherElement)
    const reply = replyFor(stanza, error, [])
    expect(reply).toBeInstanceOf(OtherElement)
    expect(reply.toString()).toBe(
      '<message type="error" from="svc.localhost" to="u@localhost/r" id="m1">' +
        '<error type="cancel" by="svc.localhost">' +
        '<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></message>',
    )
  })
})

describe('the default by', () => {
  it('is the address the stanza was sent to without its resource, or its domain when long', () => {
    expect(defaultBy('svc.localhost')).toBe('svc.localhost')
    expect(defaultBy('svc.localhost/r')).toBe('svc.localhost')
    expect(defaultBy(`room@svc.localhost/${'r'.repeat(1023)}`)).toBe('room@svc.localhost')
    expect(defaultBy(`${'l'.repeat(1023)}@svc.localhost/r`)).toBe('svc.localhost')
    const longest = `${'l'.repeat(MAX_DEFAULT_BY_LENGTH - 14)}@svc.localhost`
    expect(defaultBy(longest)).toBe(longest)
    expect(defaultBy(`l${longest}`)).toBe('svc.localhost')
  })
})

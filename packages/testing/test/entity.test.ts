import { xml } from '@xmpp/xml'
import { errors, StanzaError, StreamError } from '@xmpp-errors/middleware'
import type { Component } from '@xmpp/component'
import { describe, expect, it } from 'vitest'
import { testComponent } from '../src/index.js'
import '../src/vitest.js'

const NS = 'urn:example:notes'

function notes(c: Component, { logger }: { logger: import('../src/index.js').RecordingLogger }) {
  c.middleware.use(errors({ logger }))
  c.iqCallee.get(NS, 'get', (ctx) => {
    if (ctx.element.attrs.key === 'close') throw new StreamError('policy-violation', { text: 'go away' })
    throw new StanzaError('item-not-found', { text: `no note ${ctx.element.attrs.key}` })
  })
}

describe('testComponent', () => {
  it('answers a request with the error reply, and its record', async () => {
    const t = await testComponent(notes)
    expect(t.entity.status).toBe('online')
    const exchange = await t.send(xml('iq', { type: 'get', id: 'a' }, xml('get', { xmlns: NS, key: 'k' })))
    expect(exchange).toBeErrorReply('item-not-found', { type: 'cancel', text: /no note k/ })
    expect(exchange).toHaveRecorded({ condition: 'item-not-found', level: 'warn', times: 1 })
    const reply = await t.request(xml('iq', { type: 'get' }, xml('get', { xmlns: NS, key: 'j' })))
    expect(reply).toBeErrorReply('item-not-found', { text: 'no note j' })
    const closing = await t.send(xml('iq', { type: 'get', id: 'c' }, xml('get', { xmlns: NS, key: 'close' })))
    expect(closing).toHaveClosedStream('policy-violation', { text: 'go away', by: 'entity', then: 'reconnect' })
    expect(t.entity.status).toBe('online')
    expect(t.connections).toBe(2)
    await t.stop()
    expect(t.entity.status).toBe('offline')
  })
})

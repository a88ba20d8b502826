import type { Component } from '@xmpp/component'
import xml from '@xmpp/xml'
import { errors, guard } from '@xmpp-errors/middleware'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type SetupTools, type TestEntity, testComponent } from '../src/index.js'
import '../src/vitest.js'

// Each way the in-memory server misbehaves, seen through what a guarded component does about it.

const guarded = (c: Component, { logger }: SetupTools) => {
  guard(c, { logger, backoff: { baseMs: 5, maxMs: 5 } })
  c.middleware.use(errors({ logger }))
  c.iqCallee.get('urn:example:big', 'q', () =>
    xml('q', { xmlns: 'urn:example:big' }, 'y'.repeat(20_000)),
  )
}

// The timers set during a test that neither fired nor were cleared by its end.
const pending = new Set<unknown>()
const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis
beforeEach(() => {
  pending.clear()
  vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
    const timer = realSetTimeout(() => {
      pending.delete(timer)
      fn()
    }, ms)
    pending.add(timer)
    return timer
  }) as typeof setTimeout)
  vi.spyOn(globalThis, 'clearTimeout').mockImplementation((timer) => {
    pending.delete(timer)
    realClearTimeout(timer)
  })
})

let t: TestEntity<Component> | undefined
afterEach(async () => {
  await t?.stop()
  t = undefined
  vi.restoreAllMocks()
  // No reconnect, no backoff, no xmpp.js timeout outlives the entity.
  expect(pending.size).toBe(0)
})

async function entity(options: Parameters<typeof testComponent>[1] = {}) {
  t = await testComponent(guarded, options)
  return t
}

describe('the server misbehaves', () => {
  it('a stream error for a header: the component stops on host-unknown, with a record', async () => {
    const e = await entity({ script: { header: { condition: 'host-unknown', text: 'who?' } } })
    expect(e).toHaveClosedStream('host-unknown', { by: 'server', text: 'who?', after: 'stop' })
    expect(e).toHaveRecorded({
      condition: 'host-unknown',
      action: 'observe',
      level: 'error',
      times: 1,
    })
    expect(e.entity.status).toBe('offline')
  })

  it('a silent handshake: never online, and stop() leaves no handshake timeout behind', async () => {
    const e = await entity({ script: { handshake: 'silent' } })
    expect(e.entity.status).toBe('open')
    expect(e.statuses).not.toContain('online')
  })

  it('a silent header: never open, and stop() leaves no open timeout behind', async () => {
    const e = await entity({ script: (index) => (index === 0 ? { header: 'silent' } : {}) })
    expect(e.entity.status).toBe('opening')
  })

  it('a stream error for the handshake: not-authorized stops the component', async () => {
    const e = await entity({ script: { handshake: { condition: 'not-authorized' } } })
    expect(e).toHaveClosedStream('not-authorized', { by: 'server', after: 'stop' })
  })

  it('streamError: a system-shutdown from the server, then a reconnect after the backoff', async () => {
    const e = await entity()
    const fault = await e.streamError({ condition: 'system-shutdown' })
    expect(fault).toHaveClosedStream('system-shutdown', { by: 'server' })
    expect(fault).toHaveRecorded({ condition: 'system-shutdown', action: 'observe', times: 1 })
    expect(fault.records[0]?.next?.action).toBe('reconnect')
    await e.online()
    expect(fault).toHaveClosedStream('system-shutdown', { after: 'reconnect' })
    expect(e.connections).toBe(2)
  })

  it('destroy: the reconnect plugin connects again', async () => {
    const e = await entity()
    await e.destroy()
    expect(e.entity.status).toBe('online')
    expect(e.connections).toBe(2)
    expect(e.statuses.slice(-3)).toEqual(['opening', 'open', 'online'])
  })

  it('closeMidStanza: half a stanza, then the connection ends; nothing is answered', async () => {
    const e = await entity()
    const fault = await e.closeMidStanza()
    expect(fault.written).toEqual([])
    expect(e.connections).toBe(2)
  })

  it('a redirect: see-other-host, recorded with where guard() goes next', async () => {
    const e = await entity()
    const fault = await e.streamError({ condition: 'see-other-host', content: 'elsewhere.example' })
    expect(fault).toHaveClosedStream('see-other-host', { by: 'server' })
    expect(fault).toHaveRecorded({ condition: 'see-other-host', action: 'observe', times: 1 })
  })

  it('stopReading: the reply waits in the socket until the server reads again', async () => {
    const e = await entity()
    await e.stopReading()
    const exchange = await e.send(
      xml('iq', { type: 'get', id: 'big' }, xml('q', { xmlns: 'urn:example:big' })),
    )
    expect(exchange.written).toEqual([])
    await e.resumeReading()
    expect(exchange.written).toHaveLength(1)
    expect(exchange.elements[0]?.attrs).toMatchObject({ type: 'result', id: 'big' })
  })

  it('refuses a fault with no connection up', async () => {
    const e = await entity({ script: { header: { condition: 'host-unknown' } } })
    await expect(e.destroy()).rejects.toThrow(/not connected/)
  })
})

import { EventEmitter } from 'node:events'
import { streamConditions } from '@xmpp-errors/conditions'
import { StreamError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { followConnection } from '../src/connection.js'
import { backoffDelay, defaultBackoff, serverStreamErrors } from '../src/connection-policy.js'
import { stateOf } from '../src/entity-state.js'
import type { ErrorRecord } from '../src/record.js'

describe('serverStreamErrors', () => {
  it('has one row per stream condition of the registry', () => {
    expect(Object.keys(serverStreamErrors).sort()).toEqual([...streamConditions].sort())
  })

  it('stops on the configuration errors, follows see-other-host, reconnects on the rest', () => {
    const by = (action: string) =>
      Object.entries(serverStreamErrors)
        .filter(([, rule]) => rule.action === action)
        .map(([condition]) => condition)
        .sort()
    expect(by('stop')).toEqual([
      'host-gone',
      'host-unknown',
      'improper-addressing',
      'invalid-namespace',
      'not-authorized',
      'unsupported-version',
    ])
    expect(by('see-other-host')).toEqual(['see-other-host'])
    expect(by('reconnect')).toContain('conflict')
    expect(by('reconnect')).toContain('system-shutdown')
  })
})

describe('backoffDelay', () => {
  it('doubles from baseMs and keeps to maxMs, without jitter at random() = 0.5', () => {
    const exact = Array.from({ length: 9 }, (_, attempt) =>
      backoffDelay(attempt, defaultBackoff, () => 0.5),
    )
    expect(exact).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000])
  })

  it('jitters within ±20 %, never past maxMs', () => {
    const options = { baseMs: 100, maxMs: 400 }
    expect(backoffDelay(0, options, () => 0)).toBe(80)
    expect(backoffDelay(0, options, () => 1)).toBe(120)
    expect(backoffDelay(5, options, () => 0)).toBe(320)
    expect(backoffDelay(5, options, () => 1)).toBe(400)
  })

  it('stays finite for any attempt count', () => {
    expect(backoffDelay(10_000)).toBeLessThanOrEqual(60_000)
    expect(backoffDelay(-1, defaultBackoff, () => 0.5)).toBe(1000)
  })
})

/** An entity with the reconnect plugin's `delay`, emitting through the hook as guard() does. */
function entity() {
  const emitter = new EventEmitter()
  const plugin = {
    delay: 1000,
    stopped: false,
    stop() {
      this.stopped = true
    },
  }
  const records: ErrorRecord[] = []
  const target = Object.assign(emitter, { reconnect: plugin, stop: async () => 'offline' })
  const driver = followConnection(target, {
    publish: (r) => records.push(r),
    backoff: { baseMs: 100, maxMs: 1000 },
    nextId: () => 'id-1',
    redirectHosts: [],
  })
  const emit = (event: string, ...args: unknown[]) => driver.react(event, args)
  // Online, as the tests below start from.
  stateOf(target).phase = 'online'
  return { plugin, records, emit }
}

const streamError = (condition: 'conflict' | 'not-authorized' | 'system-shutdown') =>
  new StreamError(condition).toElement()

describe('followConnection', () => {
  it('sets the delay before the disconnect, grows it per attempt, and restores it online', () => {
    const { plugin, records, emit } = entity()
    emit('element', streamError('conflict'))
    const first = plugin.delay
    expect(first).toBeGreaterThanOrEqual(80)
    expect(first).toBeLessThanOrEqual(120)
    emit('disconnect')
    expect(plugin.delay).toBe(first)
    // A reconnect that fails without a stream error (the server still down) waits longer.
    emit('connecting')
    emit('disconnect')
    emit('connecting')
    expect(plugin.delay).toBeGreaterThanOrEqual(160)
    emit('element', streamError('conflict'))
    expect(plugin.delay).toBeGreaterThanOrEqual(320)
    emit('disconnect')
    emit('connecting')
    emit('online')
    expect(plugin.delay).toBe(1000)
    expect(records.map((r) => [r.level, r.next?.action, r.next?.attempt])).toEqual([
      ['warn', 'reconnect', 1],
      ['warn', 'reconnect', 3],
    ])
  })

  it('stops the reconnect plugin on a configuration error, recording it at error', () => {
    const { plugin, records, emit } = entity()
    emit('element', streamError('not-authorized'))
    expect(plugin.stopped).toBe(true)
    expect(records[0]).toMatchObject({
      level: 'error',
      next: { action: 'stop', hint: 'the server refused the component secret' },
    })
    expect(records[0]?.msg).toMatch(/not-authorized: the server refused the component secret/)
  })

  it('swallows socket errors while the server closes the stream, and only then', () => {
    const { emit } = entity()
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })
    expect(emit('error', reset)).toBe(false)
    emit('element', streamError('system-shutdown'))
    expect(emit('error', reset)).toBe(true)
    emit('disconnect')
    emit('connecting')
    expect(emit('error', reset)).toBe(false)
  })
})

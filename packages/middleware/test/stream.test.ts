import { StreamError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { closedByUs } from '../src/entity-state.js'
import { publish } from '../src/record.js'
import { closeStream, nothingMore } from '../src/stream.js'
import type { XmppEntity } from '../src/types.js'
import { watch } from '../src/watch.js'

function entity() {
  const calls: string[] = []
  const listeners: Array<(error: unknown) => void> = []
  let release: () => void = () => {}
  const sending = new Promise<void>((resolve) => {
    release = resolve
  })
  const e: XmppEntity = {
    send: async (element) => {
      calls.push(`send ${element.name}`)
      await sending
    },
    close: async () => {
      calls.push('close')
    },
    disconnect: async () => {
      calls.push('disconnect')
    },
    stop: async () => {
      calls.push('stop')
    },
    reconnect: { stop: () => calls.push('reconnect.stop') },
    on: (_event, listener) => listeners.push(listener),
    listenerCount: () => listeners.length,
  }
  return { e, calls, listeners, release }
}

describe('closeStream', () => {
  it('sends one <stream:error/> for concurrent stream errors, then disconnects', async () => {
    const { e, calls, release } = entity()
    const first = closeStream(e, new StreamError('conflict'), 'reconnect')
    const second = closeStream(e, new StreamError('policy-violation'), 'reconnect')
    expect(closedByUs(e)).toBe(true)
    release()
    await Promise.all([first, second])
    expect(calls).toEqual(['send stream:error', 'close', 'disconnect'])
    expect(closedByUs(e)).toBe(true)
    expect(closedByUs(e, Date.now() + 10_000)).toBe(false)
  })

  it('stops for good after system-shutdown, stopping the reconnect plugin first', async () => {
    const { e, calls, release } = entity()
    release()
    await closeStream(e, new StreamError('system-shutdown'), 'reconnect')
    expect(calls).toEqual(['send stream:error', 'reconnect.stop', 'stop'])
  })

  it('knows nothing of an entity that never closed', () => {
    expect(closedByUs(entity().e)).toBe(false)
  })

  it('nothingMore never settles', async () => {
    const pending = Symbol('pending')
    const raced = await Promise.race([
      nothingMore(),
      new Promise((resolve) => setTimeout(() => resolve(pending), 10)),
    ])
    expect(raced).toBe(pending)
  })
})

describe('watch', () => {
  it('adds one error listener per entity, however often it is called', () => {
    const { e, listeners } = entity()
    const logger = { debug: () => {}, warn: () => {}, error: () => {} }
    watch(e, { publish: (r) => publish(r, logger), nextId: () => '1' })
    watch(e, { publish: (r) => publish(r, logger), nextId: () => '1' })
    expect(listeners).toHaveLength(1)
  })

  it('logs an error no one else listens to, and a reset after our stream error at debug', async () => {
    const { e, listeners, release } = entity()
    const logged: Array<[string, string]> = []
    const logger = {
      debug: (_o: object, msg: string) => logged.push(['debug', msg]),
      warn: (_o: object, msg: string) => logged.push(['warn', msg]),
      error: (_o: object, msg: string) => logged.push(['error', msg]),
    }
    watch(e, { publish: (r) => publish(r, logger), nextId: () => '1' })
    listeners[0]?.(new Error('write failed'))
    release()
    await closeStream(e, new StreamError('conflict'), 'reconnect')
    listeners[0]?.(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))
    expect(logged.map(([level]) => level)).toEqual(['error', 'debug'])
  })
})

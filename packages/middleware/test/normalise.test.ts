import { StanzaError, StreamError } from '@xmpp-errors/errors'
import { describe, expect, it } from 'vitest'
import { normalise } from '../src/normalise.js'

class TimeoutError extends Error {
  override name = 'TimeoutError'
}

describe('normalise', () => {
  it('keeps StanzaError and StreamError as they are', () => {
    const stanza = new StanzaError('conflict')
    const stream = new StreamError('policy-violation')
    expect(normalise(stanza)).toEqual({ error: stanza, unknown: false })
    expect(normalise(stream)).toEqual({ error: stream, unknown: false })
  })

  it.each([
    ['an Error', new Error('secret path /srv/db')],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a symbol', Symbol('s')],
    ['an object', { message: 'x' }],
  ])('turns %s into internal-server-error, keeping it as the cause', (_, thrown) => {
    const { error, unknown } = normalise(thrown)
    expect(unknown).toBe(true)
    expect(error.condition).toBe('internal-server-error')
    expect(error.text).toBeUndefined()
    expect(error.cause).toBe(thrown)
  })

  it('never throws on hostile values', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap')
        },
        getPrototypeOf() {
          throw new Error('trap')
        },
      },
    )
    expect(normalise(hostile).error.condition).toBe('internal-server-error')
  })

  it("maps xmpp.js's TimeoutError to remote-server-timeout", () => {
    const { error, unknown } = normalise(new TimeoutError('late'))
    expect(error.condition).toBe('remote-server-timeout')
    expect(unknown).toBe(false)
  })

  it('applies map, and falls back to the default when map throws or declines', () => {
    const mapped = new StanzaError('bad-request', { text: 'field x' })
    expect(normalise(new RangeError('x'), () => mapped).error).toBe(mapped)
    expect(normalise(new RangeError('x'), () => undefined).error.condition).toBe(
      'internal-server-error',
    )
    const failure = new Error('map broke')
    const result = normalise(new RangeError('x'), () => {
      throw failure
    })
    expect(result.error.condition).toBe('internal-server-error')
    expect(result.mapError).toBe(failure)
  })
})

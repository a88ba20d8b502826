import { describe, expect, it } from 'vitest'
import { addressChecker } from '../src/guard.js'
import { ErrorRateLimit } from '../src/rate-limit.js'

describe('ErrorRateLimit', () => {
  it('replies up to max, warns once, then drops and counts, per sender', () => {
    const limit = new ErrorRateLimit({ max: 2, windowMs: 1000 })
    const verdicts = [1, 2, 3, 4, 5].map(() => limit.check('a@x', 0))
    expect(verdicts).toEqual(['reply', 'reply', 'last-warning', 'drop', 'drop'])
    expect(limit.check('b@x', 0)).toBe('reply')
    expect(limit.dropped).toBe(2)
  })

  it('starts afresh when the window ends', () => {
    const limit = new ErrorRateLimit({ max: 1, windowMs: 1000 })
    expect([limit.check('a', 0), limit.check('a', 10)]).toEqual(['reply', 'last-warning'])
    expect(limit.check('a', 999)).toBe('drop')
    expect(limit.check('a', 1000)).toBe('reply')
  })

  it('tracks at most maxSenders per window, letting the rest through unlimited', () => {
    const limit = new ErrorRateLimit({ max: 1, windowMs: 1000, maxSenders: 2 })
    limit.check('a', 0)
    limit.check('b', 0)
    expect([limit.check('c', 0), limit.check('c', 0), limit.check('c', 0)]).toEqual([
      'reply',
      'reply',
      'reply',
    ])
    expect(limit.check('a', 0)).toBe('last-warning')
  })
})

describe('addressChecker', () => {
  const addressFault = addressChecker()
  it.each([
    [{ from: 'foo@', to: 'c.localhost' }, 'from'],
    [{ from: 'u@localhost/r', to: '@' }, 'to'],
    [{ from: 'u@localhost/r', to: '/res' }, 'to'],
    [{ from: 'u@localhost/r', to: 'c.localhost' }, undefined],
    [{ from: '', to: '' }, undefined],
    [{}, undefined],
  ])('%o → %s', (attrs, fault) => {
    expect(addressFault({ attrs })).toBe(fault)
  })

  it('ignores what is not an element', () => {
    expect(addressFault(undefined)).toBeUndefined()
    expect(addressFault({ attrs: null })).toBeUndefined()
  })
})

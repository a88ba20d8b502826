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

  it('tracks at most maxSenders per window; the senders past it share one count', () => {
    const limit = new ErrorRateLimit({ max: 2, windowMs: 1000, maxSenders: 2 })
    limit.check('a', 0)
    limit.check('b', 0)
    // Past the table, no sender escapes: c alone gets what any sender gets.
    expect([1, 2, 3, 4, 5].map(() => limit.check('c', 0))).toEqual([
      'reply',
      'reply',
      'last-warning',
      'drop',
      'drop',
    ])
    // Together with c: fresh addresses gain a flooder nothing.
    expect(limit.check('d', 0)).toBe('drop')
    expect(limit.counted().senders).toBe(2)
    expect(limit.check('a', 0)).toBe('reply')
    expect(limit.check('a', 0)).toBe('last-warning')
    // A new window: counts and the shared count start afresh.
    expect([limit.check('d', 1000), limit.check('e', 1000), limit.check('f', 1000)]).toEqual([
      'reply',
      'reply',
      'reply',
    ])
  })

  it('holds maxSenders counts and no more, with 1,000,000 senders in one window', () => {
    const limit = new ErrorRateLimit({ max: 2, windowMs: 60_000, maxSenders: 10_000 })
    let replies = 0
    for (let i = 0; i < 1_000_000; i++)
      if (limit.check(`s${i}@flood.example`, 0) === 'reply') replies++
    expect(limit.counted().senders).toBe(10_000)
    expect(replies).toBe(10_000 + 2)
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

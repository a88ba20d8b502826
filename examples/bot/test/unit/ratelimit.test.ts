import { describe, expect, it } from 'vitest'
import { TokenBuckets } from '../../src/ratelimit.js'

function clock() {
  let t = 0
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms
    },
  }
}

describe('TokenBuckets', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const c = clock()
    const b = new TokenBuckets({ rate: 2, burst: 3, now: c.now })
    expect([b.take('a'), b.take('a'), b.take('a')].map((t) => t.ok)).toEqual([true, true, true])
    expect(b.take('a')).toEqual({ ok: false, retryAfterMs: 500 })
    c.advance(250)
    expect(b.take('a')).toEqual({ ok: false, retryAfterMs: 250 })
    c.advance(250)
    expect(b.take('a')).toEqual({ ok: true, left: 0 })
  })

  it('keeps one bucket per key', () => {
    const c = clock()
    const b = new TokenBuckets({ rate: 1, burst: 1, now: c.now })
    expect(b.take('a').ok).toBe(true)
    expect(b.take('a').ok).toBe(false)
    expect(b.take('b').ok).toBe(true)
  })

  it('refills at the rate, up to the burst', () => {
    const c = clock()
    const b = new TokenBuckets({ rate: 10, burst: 5, now: c.now })
    for (let i = 0; i < 5; i++) b.take('a')
    c.advance(60_000)
    const taken = Array.from({ length: 7 }, () => b.take('a').ok)
    expect(taken.filter(Boolean)).toHaveLength(5)
  })

  it('sustains the rate over time', () => {
    const c = clock()
    const b = new TokenBuckets({ rate: 5, burst: 5, now: c.now })
    let ok = 0
    for (let ms = 0; ms < 10_000; ms += 10) {
      if (b.take('flood').ok) ok++
      c.advance(10)
    }
    // 5 at once, then 5 per second for 10 s.
    expect(ok).toBeGreaterThanOrEqual(54)
    expect(ok).toBeLessThanOrEqual(56)
  })

  it('forgets the least recently seen sender past maxTracked', () => {
    const c = clock()
    const b = new TokenBuckets({ rate: 1, burst: 1, maxTracked: 2, now: c.now })
    b.take('a')
    b.take('b')
    b.take('a') // refused, but a is now the most recent
    b.take('c')
    expect(b.size).toBe(2)
    expect(b.take('a').ok).toBe(false) // still tracked
    expect(b.take('b').ok).toBe(true) // forgotten: a full bucket again
  })

  it('rejects nonsense limits', () => {
    expect(() => new TokenBuckets({ rate: 0, burst: 1 })).toThrow(RangeError)
    expect(() => new TokenBuckets({ rate: 1, burst: 0 })).toThrow(RangeError)
    expect(() => new TokenBuckets({ rate: Number.NaN, burst: 1 })).toThrow(RangeError)
  })
})

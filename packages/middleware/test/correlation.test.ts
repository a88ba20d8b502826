import { describe, expect, it } from 'vitest'
import { correlationIdFrom } from '../src/correlation.js'

describe('correlationIdFrom', () => {
  const generated = /^[a-z0-9]+-[a-z0-9]+$/

  it('generates ids without a source', () => {
    const next = correlationIdFrom(undefined)
    const [a, b] = [next(), next()]
    expect(a).toMatch(generated)
    expect(b).not.toBe(a)
  })

  it("takes the source's id when it gives one", () => {
    expect(correlationIdFrom(() => 'trace-1')()).toBe('trace-1')
  })

  it('falls back to a generated id when the source gives none, or throws', () => {
    expect(correlationIdFrom(() => undefined)()).toMatch(generated)
    expect(correlationIdFrom(() => '')()).toMatch(generated)
    const throwing = () => {
      throw new Error('no tracer')
    }
    expect(correlationIdFrom(throwing)()).toMatch(generated)
  })
})

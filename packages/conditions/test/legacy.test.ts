import { describe, expect, it } from 'vitest'
import { fromLegacyCode, isAllowedType, isErrorType, legacyCodes, lookup } from '../src/index.js'

describe('legacyCodes (XEP-0086 §3)', () => {
  it('reads each code as a stanza condition whose own code it is, but for the XEP’s exceptions', () => {
    // 408, 502 and 510 have no condition of their own; §3 reads them as a related one.
    const exceptions = new Set([408, 502, 510])
    for (const [code, { condition, type }] of Object.entries(legacyCodes)) {
      const entry = lookup('stanza', condition)
      expect(entry, code).toBeDefined()
      expect(isErrorType(type)).toBe(true)
      if (!exceptions.has(Number(code))) expect(entry.legacyCode, code).toBe(Number(code))
    }
  })

  it('keeps the RFC 3920 types of the XEP where RFC 6120 changed them', () => {
    expect(legacyCodes[500]).toEqual({ condition: 'internal-server-error', type: 'wait' })
    expect(isAllowedType('internal-server-error', 'wait')).toBe(false)
  })

  it('reads a code from a string or a number, and nothing else', () => {
    expect(fromLegacyCode('404')?.condition).toBe('item-not-found')
    expect(fromLegacyCode(302)?.condition).toBe('redirect')
    for (const bad of ['402', '4040', ' 404', '404 ', '', 'toString', 404.5, null, undefined, {}]) {
      expect(fromLegacyCode(bad), String(bad)).toBeUndefined()
    }
  })
})

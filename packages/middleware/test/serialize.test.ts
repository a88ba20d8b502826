import xml from '@xmpp/xml'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { serialize, serializedLengthBound } from '../src/serialize.js'

describe('serialize', () => {
  it('writes what ltx writes for ordinary content', () => {
    const el = xml(
      'iq',
      { type: 'get', id: 'a"b\'<&>', to: 'x@y/z', empty: '' },
      xml('q', { xmlns: 'urn:x' }, 'text <&> "quoted"', xml('i', {}), 42 as unknown as string),
    )
    expect(serialize(el)).toBe(el.toString())
  })

  it('writes tab, LF and CR in attributes, and CR in text, as character references', () => {
    const el = xml('iq', { id: 'a\tb\nc\rd' }, 'l1\r\nl2\tx')
    expect(serialize(el)).toBe('<iq id="a&#9;b&#10;c&#13;d">l1&#13;\nl2\tx</iq>')
  })

  it('replaces characters XML 1.0 forbids, and leaves out null and undefined', () => {
    const el = xml('m', { a: 'x\u0001y', b: undefined }, 'p\uFFFEq', null as unknown as string)
    expect(serialize(el)).toBe('<m a="x\uFFFDy">p\uFFFDq</m>')
  })

  it('serializes 100,000 levels without recursion, and stops past the limit', () => {
    let el = xml('a', {}, 'x')
    for (let i = 1; i < 100_000; i++) el = xml('a', {}, el)
    const out = serialize(el)
    expect(out?.length).toBe(100_000 * 7 + 1)
    expect(serialize(el, 1000)).toBeUndefined()
    expect(serialize(xml('a', {}, 'x'), 8)).toBe('<a>x</a>')
    expect(serialize(xml('a', {}, 'x'), 7)).toBeUndefined()
  })
})

describe('serializedLengthBound', () => {
  it('is never below what serialize writes, whatever the characters', () => {
    // Code units of any kind: markup, tab/LF/CR, characters XML 1.0 forbids, lone surrogates.
    const text = fc.string({ unit: 'binary', maxLength: 30 })
    const leaf = fc
      .tuple(fc.constantFrom('a', 'x:item'), text, text)
      .map(([name, attr, content]) => xml(name, { k: attr, '"': attr }, content))
    const elements = fc.array(
      fc.tuple(text, fc.array(leaf, { maxLength: 5 })).map(([t, kids]) => xml('q', {}, t, ...kids)),
      { maxLength: 3 },
    )
    fc.assert(
      fc.property(elements, (els) => {
        const exact = els.reduce((sum, el) => sum + (serialize(el) ?? '').length, 0)
        expect(serializedLengthBound(els)).toBeGreaterThanOrEqual(exact)
      }),
      { numRuns: 2000 },
    )
  })

  it('stops counting past the limit', () => {
    const wide = xml('q', {}, ...Array.from({ length: 10_000 }, () => xml('item', { v: 'x' })))
    const bound = serializedLengthBound([wide], 100)
    expect(bound).toBeGreaterThan(100)
    expect(bound).toBeLessThan(1_000)
  })

  it('has no bound for what serialize would write through String()', () => {
    const odd = xml('q')
    Object.assign(odd.attrs, { n: 42 })
    expect(serializedLengthBound([odd])).toBe(Number.POSITIVE_INFINITY)
  })
})

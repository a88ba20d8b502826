import { xml } from '@xmpp/xml'
import { describe, expect, it } from 'vitest'
import { serialize } from '../src/serialize.js'

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

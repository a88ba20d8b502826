// The XML 1.0 checker (src/xml-checks.ts) is what the repository's adversarial suite and the
// errors package's properties trust to call a reply well-formed: it must refuse what is not.
import { NS_STANZAS, NS_STREAMS } from '@xmpp-errors/conditions'
import { describe, expect, it } from 'vitest'
import { assertWellFormed, illegalXmlChar, parseStrict, saxesError } from '../src/index.js'

const reply =
  '<iq type="error" from="c11.localhost" to="u9@localhost/r" id="a&#9;b">' +
  `<error type="cancel" by="c11.localhost"><internal-server-error xmlns="${NS_STANZAS}"/>` +
  `<text xmlns="${NS_STANZAS}" xml:lang="en">&lt;evil/&gt; &amp; "q" 😀</text></error></iq>`
const streamError = `<stream:error><conflict xmlns="${NS_STREAMS}"/></stream:error>`

describe('the XML 1.0 checker', () => {
  it('accepts a reply and a stream error as the component writes them', () => {
    for (const s of [reply, streamError]) {
      expect(illegalXmlChar(s)).toBeUndefined()
      expect(saxesError(s)).toBeUndefined()
      expect(() => assertWellFormed(s)).not.toThrow()
      expect(parseStrict(s).name).toBe(s === reply ? 'iq' : 'stream:error')
    }
  })

  it('finds characters outside XML 1.0 Char by code point', () => {
    expect(illegalXmlChar('a\u0001b')).toBe(0x1)
    expect(illegalXmlChar('\ufffe')).toBe(0xfffe)
    expect(illegalXmlChar('x\ud800y')).toBe(0xd800)
    expect(illegalXmlChar('\t\n\r\ud83d\ude00\ufffd')).toBeUndefined()
  })

  it.each([
    ['a C0 control in text', '<a>x\u0001y</a>'],
    ['U+FFFE in an attribute', '<a b="\ufffe"/>'],
    ['a lone surrogate', '<a>\ud800</a>'],
  ])('saxes refuses %s, as the own check does', (_, s) => {
    expect(illegalXmlChar(s)).toBeDefined()
    expect(saxesError(s)).toBeDefined()
    expect(saxesError(s, { namespaces: false })).toBeDefined()
  })

  // Each of these is made only of legal characters, so the own check passes them all: saxes is
  // the judge that refuses them.
  it.each([
    ['an unescaped < in an attribute', '<a b="x<y"/>'],
    ['an unescaped &', '<a>&</a>'],
    ['a reference to a character outside Char', '<a>x&#1;y</a>'],
    [']]> in text', '<a>]]></a>'],
    ['two root elements', '<a/><b/>'],
    ['an unclosed element', '<a><b></a>'],
  ])('saxes refuses %s, which has no illegal character', (_, s) => {
    expect(illegalXmlChar(s)).toBeUndefined()
    expect(saxesError(s)).toMatch(/\S/)
    expect(saxesError(s, { namespaces: false })).toMatch(/\S/)
    expect(() => assertWellFormed(s)).toThrow(/^saxes refuses it: /)
    expect(() => parseStrict(s)).toThrow(/^saxes refuses it: /)
  })

  it.each([
    ['an unbound prefix', '<p:a/>'],
    ['a prefix declared empty', '<a xmlns:p=""/>'],
  ])('saxes refuses %s when namespaces are checked (RFC 6120 §11.2)', (_, s) => {
    expect(saxesError(s)).toMatch(/\S/)
    expect(saxesError(s, { namespaces: false })).toBeUndefined()
    expect(() => parseStrict(s)).toThrow(/^saxes refuses it: /)
  })
})

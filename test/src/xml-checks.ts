import parse from '@xmpp/xml/lib/parse.js'
import type { Element } from './clients.js'

/** XML 1.0 §2.2 Char, code point by code point (not the regex the library uses). */
export function illegalXmlChar(s: string): number | undefined {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0
    const legal =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      (cp >= 0x10000 && cp <= 0x10ffff)
    if (!legal) return cp
  }
  return undefined
}

/** Throws unless `s` is one well-formed XML 1.0 element that serializes back to itself. */
export function parseStrict(s: string): Element {
  const bad = illegalXmlChar(s)
  if (bad !== undefined) throw new Error(`char U+${bad.toString(16)} outside XML 1.0 Char`)
  const el = parse(s)
  if (el === null) throw new Error('no element')
  // The component writes tab, LF and CR in attributes (and CR in text) as character
  // references, which ltx's toString() writes raw.
  const raw = s.replace(/&#(9|10|13);/g, (_, code: string) => String.fromCharCode(Number(code)))
  if (el.toString() !== raw) throw new Error('does not round-trip through the parser')
  return el
}

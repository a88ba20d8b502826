import { NS_STANZAS, NS_STREAMS } from '@xmpp-errors/conditions'
import { errorText, freezeTexts, isLanguageTag, MAX_LANGUAGES } from './text.js'

/**
 * The part of an ltx / `@xmpp/xml` element this package reads and returns. It is structural so
 * that elements from any copy of `@xmpp/xml` (0.13 inside `@xmpp/component`, 0.14 elsewhere)
 * are accepted, and so that users need no `@types/xmpp__*` package.
 */
export interface XmlElement {
  name: string
  attrs: Record<string, unknown>
  children: Array<XmlElement | string>
  is(name: string, xmlns?: string): boolean
  getName(): string
  getNS(): string | undefined
  getChild(name: string, xmlns?: string): XmlElement | undefined
  getChildElements(): XmlElement[]
  text(): string
  toString(): string
}

/** True for anything that can be read as an element without throwing. */
export function isElement(value: unknown): value is XmlElement {
  if (typeof value !== 'object' || value === null) return false
  const el = value as Partial<XmlElement>
  return (
    typeof el.name === 'string' &&
    typeof el.attrs === 'object' &&
    el.attrs !== null &&
    Array.isArray(el.children) &&
    typeof el.getChildElements === 'function' &&
    typeof el.getNS === 'function'
  )
}

/** Reads an attribute that a hostile peer may have set to anything. */
export function attribute(el: XmlElement, name: string): string | undefined {
  const value = el.attrs[name]
  return typeof value === 'string' ? value : undefined
}

/** The element's own name without a prefix, never throwing. */
export function localName(el: XmlElement): string {
  const i = el.name.indexOf(':')
  return i === -1 ? el.name : el.name.slice(i + 1)
}

export function namespaceOf(el: XmlElement): string | undefined {
  try {
    return el.getNS()
  } catch {
    return undefined
  }
}

export function childElements(el: XmlElement): XmlElement[] {
  try {
    return el.getChildElements().filter(isElement)
  } catch {
    return []
  }
}

export function textOf(el: XmlElement): string {
  try {
    const text = el.text()
    return typeof text === 'string' ? text : ''
  } catch {
    return ''
  }
}

/** An element in a namespace other than the stanza and stream error namespaces. */
export function hasOwnNamespace(element: XmlElement): boolean {
  const ns = namespaceOf(element)
  return !!ns && ns !== NS_STANZAS && ns !== NS_STREAMS
}

/**
 * The parts of an `<error/>` or `<stream:error/>` (RFC 6120 §8.3.2, §4.9.2): the first condition
 * and the first `<text/>` in `ns`, every `<text/>` by its `xml:lang` (a server may send one per
 * language), and the first child in a namespace of its own, which is the application
 * condition. Anything else is ignored, as a peer may send anything.
 */
export function errorParts(error: XmlElement, ns: string) {
  let condition: XmlElement | undefined
  let text: XmlElement | undefined
  let application: XmlElement | undefined
  const texts = new Map<string, [string, string]>()
  for (const child of childElements(error)) {
    if (namespaceOf(child) === ns) {
      if (localName(child) === 'text') {
        text ??= child
        const tag = attribute(child, 'xml:lang')
        // The first text of a language wins; tags compare without case (RFC 5646 §2.1.1).
        const value = textOf(child)
        if (
          isLanguageTag(tag) &&
          value &&
          !texts.has(tag.toLowerCase()) &&
          texts.size < MAX_LANGUAGES
        ) {
          texts.set(tag.toLowerCase(), [tag, errorText(value)])
        }
      } else {
        condition ??= child
      }
    } else if (hasOwnNamespace(child)) {
      application ??= child
    }
  }
  return {
    condition,
    /** The condition's name, without a prefix. */
    name: condition && localName(condition),
    text,
    /** The text's `xml:lang`, as sent: not yet checked to be a language tag. */
    lang: text && attribute(text, 'xml:lang'),
    /** Every text that names its language. */
    texts: freezeTexts([...texts.values()]),
    application,
  }
}

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

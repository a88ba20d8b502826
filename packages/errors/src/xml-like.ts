import xml from '@xmpp/xml'
import type { XmlElement } from './element.js'

/** Builds an element, as `xml(name, attrs, ...children)` does; absent children are skipped. */
export type BuildElement = (
  name: string,
  attrs?: Record<string, string | undefined> | null,
  ...children: Array<XmlElement | string | undefined | null | false>
) => XmlElement

type ElementClass = new (
  name: string,
  attrs?: Record<string, string>,
) => XmlElement & { cnode(child: XmlElement | string): unknown }

/** The ltx `Element` class `like` was made with, if it is an ltx element. */
function elementClassOf(like: unknown): ElementClass | undefined {
  if (typeof like !== 'object' || like === null) return undefined
  try {
    const Element: unknown = like.constructor
    if (typeof Element !== 'function') return undefined
    const prototype: unknown = Element.prototype
    if (typeof prototype !== 'object' || prototype === null) return undefined
    const { cnode, write } = prototype as { cnode?: unknown; write?: unknown }
    return typeof cnode === 'function' && typeof write === 'function'
      ? (Element as ElementClass)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * An `xml()` that builds elements of the same class as `like`, the stanza being answered.
 *
 * xmpp.js's IQ handler takes what a handler returns for a reply only if it is `instanceof` the
 * `Element` of its own copy of ltx, and answers anything else with an empty result: a false
 * success. Wherever our `@xmpp/xml` is another copy (npm link, a nested workspace, xmpp.js's 0.13
 * beside our 0.14), only the class of an element xmpp.js handed us is sure to be its own. Without
 * such an element, it is our `xml()`.
 */
export function xmlLike(like: unknown): BuildElement {
  const Element = elementClassOf(like)
  // ltx appends a child element of whatever copy of ltx as it is, so our xml() takes any XmlElement.
  if (Element === undefined) return xml as BuildElement
  return (name, attrs, ...children) => {
    // Attributes are set one by one, skipping absent ones: ltx would copy `attrs` whole.
    const element = new Element(name)
    const own = element.attrs
    if (attrs) {
      for (const key of Object.keys(attrs)) {
        const value = attrs[key]
        if (value !== undefined) own[key] = value
      }
    }
    for (const child of children) {
      if (child !== undefined && child !== null && child !== false && child !== '') {
        element.cnode(child)
      }
    }
    return element
  }
}

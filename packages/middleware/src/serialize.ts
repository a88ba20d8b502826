import { sanitizeXmlText, type XmlElement } from '@xmpp-errors/errors'

// Attribute values lose tab, LF and CR to a space in any XML parser (XML 1.0 §3.3.3), and text
// loses CR to LF (§2.11): written as character references they survive, so an `id` comes back
// to its sender byte for byte (RFC 6120 §8.2.3). ltx writes them raw.
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
}
const ATTRIBUTE_SPECIAL = /[&<>"'\t\n\r]/g
const TEXT_SPECIAL = /[&<>\r]/g
const escapeOne = (c: string) => ATTRIBUTE_ESCAPES[c] as string

/** An attribute value or text, made XML 1.0 (illegal characters become U+FFFD) and escaped. */
function escapeXml(value: string, special: RegExp): string {
  return sanitizeXmlText(value).replace(special, escapeOne)
}

function isElementNode(node: unknown): node is XmlElement {
  return (
    typeof node === 'object' &&
    node !== null &&
    typeof (node as XmlElement).name === 'string' &&
    Array.isArray((node as XmlElement).children)
  )
}

// What escaping adds to each special character's one code unit; `sanitizeXmlText` replaces one
// code unit with one, so these are all that make the output longer than the input.
const EXTRA_LENGTH: Record<string, number> = {}
for (const [c, escaped] of Object.entries(ATTRIBUTE_ESCAPES)) EXTRA_LENGTH[c] = escaped.length - 1

/** The length `escapeXml(value, special)` returns, without building it. */
function escapedLength(value: string, special: RegExp): number {
  let length = value.length
  special.lastIndex = 0
  for (let match = special.exec(value); match !== null; match = special.exec(value)) {
    length += EXTRA_LENGTH[match[0]] as number
  }
  return length
}

function startTag(element: XmlElement): string {
  let tag = `<${element.name}`
  const attrs = element.attrs ?? {}
  for (const name of Object.keys(attrs)) {
    const value = attrs[name]
    if (value === undefined || value === null) continue
    tag += ` ${name}="${escapeXml(String(value), ATTRIBUTE_SPECIAL)}"`
  }
  return tag
}

/**
 * The XML of `element` as it goes on the wire, or `undefined` once it is longer than `limit`
 * characters (so that a huge element costs no more than `limit` to reject). The same markup as
 * ltx, but with tab, LF and CR in attributes and CR in text written as character references,
 * characters XML 1.0 forbids replaced by U+FFFD, and no recursion: a peer can nest elements as
 * deep as its server lets through (thousands), and ltx's recursive writer overflows the stack.
 */
export function serialize(
  element: XmlElement,
  limit = Number.POSITIVE_INFINITY,
): string | undefined {
  let out = ''
  // Each frame is an element whose start tag is written and the index of its next child.
  const stack: Array<{ element: XmlElement; next: number }> = []
  const open = (el: XmlElement) => {
    const children = el.children
    if (children.length === 0) {
      out += `${startTag(el)}/>`
    } else {
      out += `${startTag(el)}>`
      stack.push({ element: el, next: 0 })
    }
  }
  open(element)
  while (stack.length > 0) {
    if (out.length > limit) return undefined
    const frame = stack[stack.length - 1] as { element: XmlElement; next: number }
    const { children } = frame.element
    if (frame.next >= children.length) {
      out += `</${frame.element.name}>`
      stack.pop()
      continue
    }
    const child: unknown = children[frame.next++]
    if (child === undefined || child === null) continue
    if (isElementNode(child)) open(child)
    else out += escapeXml(String(child), TEXT_SPECIAL)
  }
  return out.length > limit ? undefined : out
}

/**
 * The length `serialize` gives `elements`, counted without building any string (escapes are
 * counted, not written); past `limit` it stops counting and returns what it has, which is then
 * more than `limit`. A string is read only if it could still fit, so a huge one costs nothing.
 * `Infinity` for a child or an attribute value that is not a string (`serialize` writes it
 * through String(); only writing it tells its length). Iterative, like `serialize`.
 */
export function serializedLength(
  elements: readonly XmlElement[],
  limit = Number.POSITIVE_INFINITY,
): number {
  let length = 0
  const pending: unknown[] = [...elements]
  while (pending.length > 0 && length <= limit) {
    const node = pending.pop()
    if (node === undefined || node === null) continue
    if (typeof node === 'string') {
      // Escaping only lengthens: a string longer than what is left is over `limit` as it is.
      length += length + node.length > limit ? node.length : escapedLength(node, TEXT_SPECIAL)
      continue
    }
    if (!isElementNode(node)) return Number.POSITIVE_INFINITY
    // `<name/>`, or `<name>` and `</name>`
    length += node.children.length === 0 ? node.name.length + 3 : 2 * node.name.length + 5
    const attrs = node.attrs ?? {}
    for (const name of Object.keys(attrs)) {
      const value = attrs[name]
      if (value === undefined || value === null) continue
      if (typeof value !== 'string') return Number.POSITIVE_INFINITY
      // ` name="…"`
      length += name.length + 4
      length +=
        length + value.length > limit ? value.length : escapedLength(value, ATTRIBUTE_SPECIAL)
    }
    for (const child of node.children) pending.push(child)
  }
  return length
}

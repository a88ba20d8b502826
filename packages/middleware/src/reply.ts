import { type StanzaError, sanitizeXmlText, type XmlElement, xmlLike } from '@xmpp-errors/errors'
import { languagesOf, textLanguage } from './language.js'

export interface EchoOptions {
  /** Echo an IQ's payload in its error reply (RFC 6120 §8.3.1 allows it). Default true. */
  iq: boolean
  /** Echo a message's children. Default false: echoing bodies hands a flooder an amplifier. */
  message: boolean
  /** Echo a presence's children. Default false. */
  presence: boolean
  /** Largest payload echoed, in characters of serialised XML; larger payloads are not echoed. */
  maxLength: number
}

export interface ReplyOptions {
  /** Put `by` (RFC 6120 §8.3.2) on errors that set none: the address the stanza was sent to. */
  by: boolean
  echo: EchoOptions
  /** The component's language: the text's when the stanza's `xml:lang` has none. */
  lang: string
  /** Write XEP-0086's `code` on error elements. */
  legacyCodes: boolean
}

/**
 * `error.toElement()` in the stanza's element class and language, with `by` defaulting to the address the stanza
 * was sent to.
 */
export function errorElementFor(stanza: XmlElement, error: StanzaError, options: ReplyOptions) {
  const element = error.toElement({
    like: stanza,
    lang: textLanguage(languagesOf(error), stanza.attrs['xml:lang'], options.lang),
    legacyCode: options.legacyCodes,
  })
  const to = stanza.attrs.to
  if (options.by && error.by === undefined && typeof to === 'string' && to !== '') {
    element.attrs.by = sanitizeXmlText(to)
  }
  return element
}

function payloadOf(stanza: XmlElement): XmlElement[] {
  return stanza.children.filter(
    (child): child is XmlElement => typeof child !== 'string' && child.name !== 'error',
  )
}

/**
 * The characters of names, attributes and text under the elements, stopping once past `limit`.
 * Serialising adds markup and escapes, at most six characters for one (`"` → `&quot;`) plus a
 * few per element and attribute, so this bounds the serialised length from below, and eight
 * times it bounds it from above.
 */
function rawLength(nodes: Array<XmlElement | string>, limit: number, start = 0): number {
  let length = start
  for (const node of nodes) {
    if (typeof node === 'string') {
      length += node.length
    } else {
      length += node.name.length
      for (const [name, value] of Object.entries(node.attrs)) {
        length += name.length + (typeof value === 'string' ? value.length : 0)
      }
      length = rawLength(node.children, limit, length)
    }
    if (length > limit) return length
  }
  return length
}

/** Whether the payload serialises within `maxLength`, serialising only when the bounds disagree. */
function fits(payload: XmlElement[], maxLength: number): boolean {
  const raw = rawLength(payload, maxLength)
  if (raw > maxLength) return false
  if (raw * 8 <= maxLength) return true
  let length = 0
  for (const child of payload) length += child.toString().length
  return length <= maxLength
}

/** The children to echo in the reply: all of them, or none when off or over the cap. */
export function echoFor(stanza: XmlElement, echo: EchoOptions): XmlElement[] {
  const wanted =
    stanza.name === 'iq' ? echo.iq : stanza.name === 'message' ? echo.message : echo.presence
  if (!wanted) return []
  const payload = payloadOf(stanza)
  return fits(payload, echo.maxLength) ? payload : []
}

/**
 * xmpp.js's IQ handler always appends the request's payload element to the error reply it
 * builds. Where that must not be echoed, empty it in place, leaving its name and namespace.
 */
export function trimEchoedPayload(stanza: XmlElement, payload: XmlElement, echo: EchoOptions) {
  if (echoFor(stanza, echo).includes(payload)) return
  const xmlns = payload.attrs.xmlns
  payload.attrs = typeof xmlns === 'string' ? { xmlns } : {}
  payload.children = []
}

/**
 * The error reply stanza (RFC 6120 §8.3.1): type error, from and to swapped, the same id; of the
 * stanza's element class, as xmpp.js may check what it sends against its own.
 */
export function replyFor(stanza: XmlElement, error: XmlElement, payload: XmlElement[]) {
  const { from, to, id } = stanza.attrs
  const attrs: Record<string, string> = { type: 'error' }
  if (typeof to === 'string' && to !== '') attrs.from = to
  if (typeof from === 'string') attrs.to = from
  if (typeof id === 'string' && id !== '') attrs.id = id
  return xmlLike(stanza)(stanza.name, attrs, ...payload, error)
}

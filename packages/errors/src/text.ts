/**
 * Longest `<text/>` sent to a peer, in UTF-16 code units. Error text is often built from input
 * ("unknown key …"), so without a cap a peer could make an error reply as large as its request.
 */
export const MAX_TEXT_LENGTH = 1024

/**
 * Longest `by` address or `uri` accepted, in UTF-16 code units: an XMPP address is at most three
 * parts of 1023 bytes each (RFC 7622 §3.1 and following), and anything longer is not one.
 */
export const MAX_ADDRESS_LENGTH = 3071

// XML 1.0 §2.2 Char; with the u flag lone surrogates are code points outside every range here.
const ILLEGAL_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/**
 * Makes a string safe to put in an XML 1.0 document: characters XML 1.0 forbids become U+FFFD.
 * `@xmpp/xml` escapes markup but passes these through, and a server closes the stream of an
 * entity that sends one, so one bad character would take the whole component offline.
 */
export function sanitizeXmlText(value: string): string {
  return value.replace(ILLEGAL_XML_CHAR, '\uFFFD')
}

/**
 * Sanitised and capped error text, without splitting a surrogate pair at the cut. A cut text
 * ends in `…`, which counts towards `max`, so the result is never longer than `max`.
 */
export function errorText(value: string, max = MAX_TEXT_LENGTH): string {
  if (value.length <= max) return sanitizeXmlText(value)
  let text = value.slice(0, Math.max(0, max - 1))
  const last = text.charCodeAt(text.length - 1)
  if (last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1)
  return sanitizeXmlText(`${text}…`)
}

// RFC 5646 language tags, loosely: what xml:lang may hold without surprising a peer.
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/

export function isLanguageTag(value: unknown): value is string {
  return typeof value === 'string' && LANGUAGE_TAG.test(value)
}

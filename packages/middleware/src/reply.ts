import { type StanzaError, type XmlElement, xmlLike } from '@xmpp-errors/errors'
import { languagesOf, textLanguage } from './language.js'
import { serialize, serializedLengthBound } from './serialize.js'

export interface EchoOptions {
  /** Echo an IQ's payload in its error reply (RFC 6120 §8.3.1 allows it). Default true. */
  iq: boolean
  /** Echo a message's children. Default false: echoing bodies hands a flooder an amplifier. */
  message: boolean
  /** Echo a presence's children. Default false. */
  presence: boolean
  /** Largest payload echoed, in characters of serialized XML; larger payloads are not echoed. */
  maxLength: number
}

export interface ReplyOptions {
  /** Put `by` (RFC 6120 §8.3.2) on errors that set none: the address the stanza was sent to, see `defaultBy`. */
  by: boolean
  echo: EchoOptions
  /** The component's language: the text's when the stanza's `xml:lang` has none. */
  lang: string
  /** Write XEP-0086's `code` on error elements. */
  legacyCodes: boolean
}

/** Longest default `by` that is more than the domain: see `defaultBy`. */
export const MAX_DEFAULT_BY_LENGTH = 64

/**
 * The address the stanza was sent to, as `by` names the entity that returned the error
 * (RFC 6120 §8.3.2): without the resource, and only the domain when the bare address is longer
 * than MAX_DEFAULT_BY_LENGTH. Anything sent to a component's domain reaches it, so a sender
 * picks the localpart and the resource (up to 1023 bytes each); copied whole, they would make
 * the reply larger than the request by as much.
 */
export function defaultBy(to: string): string {
  const slash = to.indexOf('/')
  const bare = slash === -1 ? to : to.slice(0, slash)
  if (bare.length <= MAX_DEFAULT_BY_LENGTH) return bare
  return bare.slice(bare.indexOf('@') + 1)
}

/** What an error element needs of the reply options. */
export type ElementOptions = Pick<ReplyOptions, 'by' | 'lang' | 'legacyCodes'>

function defaultByFor(stanza: XmlElement, options: ElementOptions) {
  const to = stanza.attrs.to
  if (!options.by || typeof to !== 'string' || to === '') return undefined
  return defaultBy(to)
}

/**
 * `error.toElement()` in the stanza's element class and language, with `by` defaulting to the
 * address the stanza was sent to (`defaultBy`), or to `by` when given.
 */
export function errorElementFor(
  stanza: XmlElement,
  error: StanzaError,
  options: ElementOptions,
  by: string | undefined = error.by === undefined ? defaultByFor(stanza, options) : undefined,
) {
  return error.toElement({
    like: stanza,
    lang: textLanguage(languagesOf(error), stanza.attrs['xml:lang'], options.lang),
    legacyCode: options.legacyCodes,
    by,
  })
}

/**
 * An element a client would take for the reply's `<error/>`: named `error`, in any namespace or
 * with any prefix. An error reply carries exactly one, ours, so such a payload is never echoed.
 */
export function isErrorNamed(element: XmlElement): boolean {
  const name = element.name
  return name === 'error' || name.endsWith(':error')
}

function payloadOf(stanza: XmlElement): XmlElement[] {
  return stanza.children.filter(
    (child): child is XmlElement => typeof child !== 'string' && !isErrorNamed(child),
  )
}

/**
 * Whether the payload serializes within `maxLength` characters. A bound that needs no
 * serializing settles most payloads; only one near the cap is serialized, no further than it.
 */
function fits(payload: XmlElement[], maxLength: number): boolean {
  if (serializedLengthBound(payload, maxLength) <= maxLength) return true
  let remaining = maxLength
  for (const child of payload) {
    const serialized = serialize(child, remaining)
    if (serialized === undefined) return false
    remaining -= serialized.length
  }
  return true
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
  if (!echoFor(stanza, echo).includes(payload)) emptyPayload(payload)
}

/** Leaves the payload element its name and namespace only. */
export function emptyPayload(payload: XmlElement): void {
  const xmlns = payload.attrs.xmlns
  payload.attrs = typeof xmlns === 'string' ? { xmlns } : {}
  payload.children = []
}

/**
 * An error stanza named as `like`, of its element class (xmpp.js may check what it sends against
 * its own), addressed `from` → `to`, with `like`'s id: where error attributes are built.
 */
export function errorStanza(
  like: XmlElement,
  from: unknown,
  to: unknown,
  ...children: XmlElement[]
): XmlElement {
  const id = like.attrs.id
  const attrs: Record<string, string> = { type: 'error' }
  if (typeof from === 'string' && from !== '') attrs.from = from
  if (typeof to === 'string') attrs.to = to
  if (typeof id === 'string' && id !== '') attrs.id = id
  return xmlLike(like)(like.name, attrs, ...children)
}

/** The error reply stanza (RFC 6120 §8.3.1): type error, from and to swapped, the same id. */
export function replyFor(
  stanza: XmlElement,
  error: XmlElement,
  payload: XmlElement[],
  from: unknown = stanza.attrs.to,
) {
  return errorStanza(stanza, from, stanza.attrs.from, ...payload, error)
}

/**
 * An error reply, in the form it leaves in: a stanza to `send` at once, or what the middleware
 * returns for xmpp.js to send: the reply stanza, or inside xmpp.js's IQ handler the `<error/>`
 * that the handler wraps into the reply.
 */
export type ErrorReply = { send: XmlElement } | { return: XmlElement }

/**
 * The one builder of error replies. `payload` is the request's payload when running inside
 * xmpp.js's IQ handler (see `iqHandlerPayload`), which always appends it to the reply it
 * builds: where it must not be echoed, it is emptied in place (`trimEchoedPayload`).
 * A payload that is itself an `<error/>` of some namespace would come before ours, and a client
 * reads the first: that reply is sent here, without the echo (RFC 6120 §8.3.1 allows one, but
 * then the reply would have two `<error/>` children).
 */
export function errorReply(
  stanza: XmlElement,
  error: StanzaError,
  options: ReplyOptions,
  payload: XmlElement | undefined,
): ErrorReply {
  const element = errorElementFor(stanza, error, options)
  if (payload === undefined) {
    return { return: replyFor(stanza, element, echoFor(stanza, options.echo)) }
  }
  if (isErrorNamed(payload)) return { send: replyFor(stanza, element, []) }
  trimEchoedPayload(stanza, payload, options.echo)
  return { return: element }
}

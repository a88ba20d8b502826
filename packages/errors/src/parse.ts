import {
  type ErrorType,
  fromLegacyCode,
  isErrorType,
  isStanzaCondition,
  isStreamCondition,
  lookup,
  NS_STANZAS,
  NS_STREAMS,
  type StanzaCondition,
  type StreamCondition,
} from '@xmpp-errors/conditions'
import {
  attribute,
  childElements,
  errorParts,
  isElement,
  localName,
  textOf,
  type XmlElement,
} from './element.js'
import { isSeeOtherHost } from './host.js'
import { isLanguageTag, lookupLanguage, MAX_ADDRESS_LENGTH, type Texts } from './text.js'

/**
 * What only a parser sets on an error, beside its options: set after construction (`parsed`),
 * as xmpp.js sets `element` on its own errors, so no public constructor takes them.
 */
export interface Parsed {
  /**
   * The type the peer sent, one of RFC 6120's five even where the RFC does not list it for the
   * condition: RFC 3920 peers send internal-server-error of type wait, and parsing keeps it.
   */
  type?: ErrorType | undefined
  /** Every `<text/>` that named its language, beside the first text in `text` and `lang`. */
  texts?: Texts | undefined
  /** The name of a peer's unknown condition. */
  originalCondition?: string | undefined
  /** The element the error was read from, as on xmpp.js's own errors. */
  element?: XmlElement | undefined
}

/** `error`, made by its public constructor, with the fields only a parser sets. */
export function parsed<E extends object>(error: E, fields: Parsed): E {
  const target = error as { -readonly [K in keyof Parsed]: Parsed[K] }
  if (fields.type !== undefined) target.type = fields.type
  if (fields.texts !== undefined) target.texts = fields.texts
  target.originalCondition = fields.originalCondition
  target.element = fields.element
  return error
}

/** The constructor options a parser reads, of both kinds. */
export interface ReadOptions {
  text?: string
  expose?: boolean
  lang?: string
  by?: string
  uri?: string
  host?: string
  application?: XmlElement
}

export interface Read<C> {
  condition: C
  options: ReadOptions
  parsed: Parsed
}

/** A peer's `by` or `uri` that is too long to be an address is left out, not fatal to parsing. */
function fitsAddress(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value.length <= MAX_ADDRESS_LENGTH
}

function findError(value: unknown): XmlElement | undefined {
  if (!isElement(value)) return undefined
  if (localName(value) === 'error') return value
  return childElements(value).find((child) => localName(child) === 'error')
}

/**
 * Reads an `<error/>`, or a stanza carrying one (RFC 6120 §8.3). An unknown or missing
 * condition becomes `undefined-condition`, keeping the name it had; a type outside the RFC's
 * five is left out; anything unreadable is left out. Throws only on objects no XML parser
 * makes (getters that throw, say).
 */
export function readStanzaError(
  element: unknown,
  languages: Iterable<unknown> = [],
): Read<StanzaCondition> {
  const error = findError(element)
  if (error === undefined) return { condition: 'undefined-condition', options: {}, parsed: {} }
  const {
    condition: conditionElement,
    name,
    text: textElement,
    lang,
    texts,
    application,
  } = errorParts(error, NS_STANZAS)
  const known = isStanzaCondition(name)
  // XEP-0086 §3: a peer that predates RFC 3920 sends only a code, and its text as character data.
  const legacy = known ? undefined : fromLegacyCode(attribute(error, 'code'))
  const condition: StanzaCondition = known ? name : (legacy?.condition ?? 'undefined-condition')
  const type = attribute(error, 'type') ?? legacy?.type
  const uri = known && conditionElement ? textOf(conditionElement).trim() : ''
  const text = textElement ? textOf(textElement) : legacy && textOf(error).trim()
  const options: ReadOptions = {
    ...(text ? { text, expose: true } : {}),
    ...(textElement && isLanguageTag(lang) ? { lang } : {}),
    ...(lookup('stanza', condition).characterData === 'xmpp-uri' && fitsAddress(uri)
      ? { uri }
      : {}),
    ...(application ? { application } : {}),
  }
  const by = attribute(error, 'by')
  if (fitsAddress(by)) options.by = by
  // A reader's languages choose among the texts sent by language (RFC 6120 §8.3.2).
  const chosen = lookupLanguage(Object.keys(texts), languages)
  if (chosen !== undefined) Object.assign(options, { text: texts[chosen], lang: chosen })
  const parsed: Parsed = { texts, element: error }
  if (isErrorType(type)) parsed.type = type
  if (!known && name) parsed.originalCondition = name
  return { condition, options, parsed }
}

/** Reads a `<stream:error/>` (RFC 6120 §4.9), as leniently as `readStanzaError`. */
export function readStreamError(element: unknown): Read<StreamCondition> {
  if (!isElement(element) || localName(element) !== 'error') {
    return { condition: 'undefined-condition', options: {}, parsed: {} }
  }
  const {
    condition: conditionElement,
    name,
    text: textElement,
    lang,
    texts,
    application,
  } = errorParts(element, NS_STREAMS)
  const condition: StreamCondition = isStreamCondition(name) ? name : 'undefined-condition'
  const host = condition === 'see-other-host' && conditionElement && textOf(conditionElement).trim()
  const options: ReadOptions = {
    ...(textElement ? { text: textOf(textElement) } : {}),
    ...(isLanguageTag(lang) ? { lang } : {}),
    ...(isSeeOtherHost(host) ? { host } : {}),
  }
  if (application) options.application = application
  const parsed: Parsed = { element, texts }
  if (condition !== name && name) parsed.originalCondition = name
  return { condition, options, parsed }
}

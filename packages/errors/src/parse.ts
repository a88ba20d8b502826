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
 * What only a parser sets on an error, beside its options: no option of the public
 * constructors reaches these fields (see `construct`).
 */
export interface Parsed {
  /** Every `<text/>` that named its language, beside the first text in `text` and `lang`. */
  texts?: Texts | undefined
  /** The name of a peer's unknown condition. */
  originalCondition?: string | undefined
  /** The element the error was read from, as on xmpp.js's own errors. */
  element?: XmlElement | undefined
}

// The parsed fields a parser made: a constructor takes its third argument only if it is one.
const issued = new WeakSet<Parsed>()

/**
 * Builds a parsed error of either class: the one way to set the fields of `Parsed`, which the
 * classes' public constructor signatures do not take.
 */
export function construct<E, C>(
  ErrorClass: new (...args: never[]) => E,
  condition: C,
  options: ReadOptions,
  parsed: Parsed,
): E {
  issued.add(parsed)
  const Parser = ErrorClass as unknown as new (
    condition: C,
    options: ReadOptions,
    parsed: Parsed,
  ) => E
  return new Parser(condition, options, parsed)
}

/** A constructor's third argument, when `construct` made it; otherwise nothing. */
export function issuedParsed(fromParser: Parsed | undefined): Parsed | undefined {
  return fromParser !== undefined && issued.has(fromParser) ? fromParser : undefined
}

/** The constructor options a parser reads, of both kinds. */
export interface ReadOptions {
  type?: ErrorType
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
    ...(isErrorType(type) ? { type } : {}),
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

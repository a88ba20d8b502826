import {
  type AllowedType,
  type Blame,
  type ErrorType,
  isAllowedType,
  isErrorType,
  isStanzaCondition,
  lookup,
  NS_STANZAS,
  type StanzaCondition,
  type StanzaEntry,
  type UriCondition,
} from '@xmpp-errors/conditions'
import { brand } from './brand.js'
import {
  attribute,
  childElements,
  errorParts,
  hasOwnNamespace,
  isElement,
  localName,
  textOf,
  type XmlElement,
} from './element.js'
import { errorText, isLanguageTag, MAX_ADDRESS_LENGTH, sanitizeXmlText } from './text.js'
import { xmlLike } from './xml-like.js'

export interface StanzaErrorBaseOptions<C extends StanzaCondition> {
  /** One of the types RFC 6120 allows for the condition; defaults to the RFC's default. */
  type?: AllowedType<C>
  /** Human-readable text for the peer; sent only when `expose` is true. */
  text?: string
  /** `xml:lang` of the text. */
  lang?: string
  /** The entity that generated the error (RFC 6120 §8.3.2, `by`). */
  by?: string
  /** An application-specific condition element, in a namespace of its own (RFC 6120 §8.3.4). */
  application?: XmlElement
  /** What led to this error; logged, never sent. */
  cause?: unknown
  /** Whether `text` may reach the peer. Defaults to true when the sender is to blame. */
  expose?: boolean
  /**
   * Capture a stack trace. Defaults to true for server-blame conditions only: capturing one
   * costs several times more than the rest of the error, and a sender-blame condition is an
   * expected answer (like an HTTP 404), not a fault whose origin someone must find.
   */
  stack?: boolean
}

/** `uri` exists only for `gone` and `redirect`, the conditions that carry an address. */
export type StanzaErrorOptions<C extends StanzaCondition = StanzaCondition> =
  StanzaErrorBaseOptions<C> & (C extends UriCondition ? { uri?: string } : { uri?: never })

// Marks options read from the wire: a peer may send a type outside the RFC's list for its
// condition (RFC 3920 peers send internal-server-error of type wait), and parsing must keep it.
const fromWire = Symbol('fromWire')

/** Options a parser may set that a thrower may not. */
interface Parsed {
  [fromWire]?: true
  type?: ErrorType
  originalCondition?: string
  element?: XmlElement
}

function describe(entry: StanzaEntry): string {
  return `${entry.condition} (RFC 6120 §${entry.rfc})`
}

/**
 * An XMPP stanza error (RFC 6120 §8.3). Throw it from a handler and the `errors()` middleware
 * turns it into the error reply; build it yourself with `toElement()`.
 */
export class StanzaError<C extends StanzaCondition = StanzaCondition> extends Error {
  declare readonly [brand]: 'stanza'
  static {
    Object.defineProperty(StanzaError.prototype, brand, { value: 'stanza' })
  }
  readonly kind = 'stanza' as const
  readonly condition: C
  /** The registry code; for stanza conditions it is the condition itself. */
  readonly code: C
  readonly title: string
  readonly type: AllowedType<C>
  readonly blame: Blame
  readonly text: string | undefined
  readonly lang: string | undefined
  readonly by: string | undefined
  readonly uri: string | undefined
  readonly application: XmlElement | undefined
  readonly expose: boolean
  /** When parsed from a peer's unknown or missing condition: the name it sent, if any. */
  readonly originalCondition: string | undefined
  /** When parsed: the element it was read from, as on xmpp.js's own errors. */
  readonly element: XmlElement | undefined

  constructor(condition: C, options?: StanzaErrorOptions<C>)
  constructor(condition: C, options: StanzaErrorOptions<C> = {} as StanzaErrorOptions<C>) {
    const entry = isStanzaCondition(condition) ? lookup('stanza', condition) : undefined
    if (entry === undefined) {
      throw new TypeError(`StanzaError: unknown stanza condition ${JSON.stringify(condition)}`)
    }
    const parsed = options as Parsed
    const type = options.type ?? entry.type
    if (!isAllowedType(condition, type) && !(parsed[fromWire] && isErrorType(type))) {
      throw new TypeError(
        `StanzaError: type ${JSON.stringify(type)} is not allowed for ${describe(entry)}; ` +
          `allowed: ${entry.types.join(', ')}`,
      )
    }
    if (options.uri !== undefined && entry.characterData !== 'xmpp-uri') {
      throw new TypeError(`StanzaError: uri is only carried by gone and redirect, not ${condition}`)
    }
    for (const key of ['uri', 'by'] as const) {
      const value = options[key]
      if (value !== undefined && (typeof value !== 'string' || value.length > MAX_ADDRESS_LENGTH)) {
        throw new TypeError(
          `StanzaError: ${key} must be a string of at most ${MAX_ADDRESS_LENGTH} characters`,
        )
      }
    }
    if (options.lang !== undefined && !isLanguageTag(options.lang)) {
      throw new TypeError(`StanzaError: lang ${JSON.stringify(options.lang)} is not a language tag`)
    }
    const { application } = options
    if (application !== undefined) assertApplication(application)
    const text =
      typeof options.text === 'string' && options.text ? errorText(options.text) : undefined

    // V8 reads the limit when the error is made; restored right after, nothing runs between.
    const stackTraceLimit = Error.stackTraceLimit
    if (!(options.stack ?? entry.blame === 'server')) Error.stackTraceLimit = 0
    super(
      text ? `${condition} - ${text}` : condition,
      'cause' in options ? { cause: options.cause } : undefined,
    )
    Error.stackTraceLimit = stackTraceLimit
    this.name = 'StanzaError'
    this.condition = condition
    this.code = condition
    this.title = entry.title
    this.type = type as AllowedType<C>
    this.blame = entry.blame
    this.text = text
    this.lang = options.lang
    this.by = typeof options.by === 'string' && options.by ? sanitizeXmlText(options.by) : undefined
    this.uri = options.uri ? sanitizeXmlText(options.uri) : undefined
    this.application = application
    this.expose = options.expose ?? entry.blame === 'sender'
    this.originalCondition = parsed.originalCondition
    this.element = parsed.element
  }

  /**
   * `<error type by>` with condition, text (when exposed) and application condition, in RFC order.
   * Pass the stanza being answered as `like` to build it with that stanza's element class, which
   * is the class xmpp.js checks replies against (see `xmlLike`).
   */
  toElement(like?: XmlElement): XmlElement {
    const xml = xmlLike(like)
    const attrs: Record<string, string> = { type: this.type }
    if (this.by !== undefined) attrs.by = this.by
    return xml(
      'error',
      attrs,
      xml(this.condition, { xmlns: NS_STANZAS }, this.uri),
      this.expose && this.text !== undefined
        ? xml('text', { xmlns: NS_STANZAS, 'xml:lang': this.lang }, this.text)
        : undefined,
      this.application,
    )
  }

  /**
   * Reads an `<error/>`, or a stanza carrying one. Never throws: an unknown or missing condition
   * becomes `undefined-condition` (keeping the name in `originalCondition`), a type outside the
   * RFC's five becomes the condition's default, and anything unreadable is left out.
   */
  static fromElement(element: unknown): StanzaError {
    try {
      return parseStanzaError(element)
    } catch {
      // Only objects no XML parser makes get here (getters that throw, say).
      return new StanzaError<StanzaCondition>('undefined-condition', parsedOptions(undefined, {}))
    }
  }
}

function parseStanzaError(element: unknown): StanzaError {
  const error = findError(element)
  if (error === undefined) {
    return new StanzaError<StanzaCondition>('undefined-condition', parsedOptions(undefined, {}))
  }
  const {
    condition: conditionElement,
    name,
    text: textElement,
    lang,
    application,
  } = errorParts(error, NS_STANZAS)
  const known = isStanzaCondition(name)
  const condition: StanzaCondition = known ? name : 'undefined-condition'
  const type = attribute(error, 'type')
  const uri = known && conditionElement ? textOf(conditionElement).trim() : ''
  const options: StanzaErrorOptions & Parsed = {
    ...(isErrorType(type) ? { type } : {}),
    ...(textElement ? { text: textOf(textElement), expose: true } : {}),
    ...(isLanguageTag(lang) ? { lang } : {}),
    ...(lookup('stanza', condition).characterData === 'xmpp-uri' && fitsAddress(uri)
      ? { uri }
      : {}),
    ...(application ? { application } : {}),
  }
  const by = attribute(error, 'by')
  if (fitsAddress(by)) options.by = by
  if (!known && name) options.originalCondition = name
  return new StanzaError<StanzaCondition>(condition, parsedOptions(error, options))
}

function parsedOptions(element: XmlElement | undefined, options: StanzaErrorOptions & Parsed) {
  const parsed: StanzaErrorOptions & Parsed = { ...options, [fromWire]: true }
  if (element) parsed.element = element
  return parsed as StanzaErrorOptions
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

export function assertApplication(application: unknown): asserts application is XmlElement {
  if (!isElement(application)) {
    throw new TypeError('application must be an XML element, e.g. xml("x", { xmlns })')
  }
  if (!hasOwnNamespace(application)) {
    throw new TypeError(
      `application condition <${application.name}/> needs a namespace of its own (RFC 6120 §8.3.4)`,
    )
  }
}

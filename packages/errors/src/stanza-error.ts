import {
  type AllowedType,
  type Blame,
  isAllowedType,
  isErrorType,
  lookup,
  NS_STANZAS,
  type StanzaCondition,
  type StanzaEntry,
  type UriCondition,
} from '@xmpp-errors/conditions'
import { brand } from './brand.js'
import { hasOwnNamespace, isElement, type XmlElement } from './element.js'
import { checkOptions } from './options.js'
import { parsed, readStanzaError } from './parse.js'
import { errorTexts, MAX_ADDRESS_LENGTH, sanitizeXmlText, type Texts, textIn } from './text.js'
import { xmlLike } from './xml-like.js'

export interface StanzaErrorBaseOptions<C extends StanzaCondition> {
  /** One of the types RFC 6120 allows for the condition; defaults to the RFC's default. */
  type?: AllowedType<C>
  /**
   * Human-readable text for the peer; sent only when `expose` is true. A string, or texts by
   * language (`{ en: 'no such note', de: 'keine Notiz' }`), of which a reply carries the one in
   * the requester's language (see `toElement`).
   */
  text?: string | Texts
  /** `xml:lang` of a string text; with texts by language, the default one (else the first). */
  lang?: string
  /** The entity that generated the error (RFC 6120 §8.3.2, `by`). */
  by?: string
  /** An application-specific condition element, in a namespace of its own (RFC 6120 §8.3.4). */
  application?: XmlElement
  /**
   * The specification that pairs `application` with this condition and a type RFC 6120 §8.3.3
   * does not recommend for it, e.g. `'XEP-0060 §6.2.3.2'` (not-subscribed: unexpected-request,
   * cancel): a XEP may define the pair for its own application condition. Needs `application`.
   */
  specifiedBy?: string
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

export interface ToElementOptions {
  /**
   * The stanza being answered: the element is built with its element class, which is the class
   * xmpp.js checks replies against (see `xmlLike`).
   */
  like?: XmlElement | undefined
  /** The language of the text to write, when the error has a text in it (a key of `texts`). */
  lang?: string | undefined
  /** Write XEP-0086's numeric `code` too, where the condition has one. */
  legacyCode?: boolean | undefined
  /**
   * The `by` to write when the error names none (RFC 6120 §8.3.2): the entity returning it.
   * Characters XML 1.0 forbids become U+FFFD, as in the constructor's `by`.
   */
  by?: string | undefined
}

/** `uri` exists only for `gone` and `redirect`, the conditions that carry an address. */
/** How a parser picks the error's `text` among the texts a peer sent by language. */
export interface ReadLanguageOptions {
  /**
   * The reader's languages, most wanted first, such as `navigator.languages`: `text` and `lang`
   * are the first of them the error has a text in (each tag, then its primary subtag), else the
   * first text sent.
   */
  languages?: Iterable<string> | undefined
}

export type StanzaErrorOptions<C extends StanzaCondition = StanzaCondition> =
  StanzaErrorBaseOptions<C> & (C extends UriCondition ? { uri?: string } : { uri?: never })

// Every option's name: `satisfies` fails to compile when one is missing here or is no option.
const OPTIONS = {
  type: true,
  text: true,
  lang: true,
  by: true,
  application: true,
  specifiedBy: true,
  cause: true,
  expose: true,
  stack: true,
  uri: true,
} as const satisfies Record<keyof StanzaErrorOptions<'gone'>, true>

/** `by` and `uri` hold an address: a string no longer than any address can be. */
function assertAddress(option: 'by' | 'uri', value: unknown): void {
  if (value !== undefined && (typeof value !== 'string' || value.length > MAX_ADDRESS_LENGTH)) {
    throw new TypeError(
      `StanzaError: ${option} must be a string of at most ${MAX_ADDRESS_LENGTH} characters`,
    )
  }
}

/** An address as written: characters XML 1.0 forbids become U+FFFD; empty is none. */
function written(address: string | undefined): string | undefined {
  return address ? sanitizeXmlText(address) : undefined
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
  declare readonly kind: 'stanza'
  declare readonly condition: C
  /** The registry code; for stanza conditions it is the condition itself. */
  declare readonly code: C
  declare readonly title: string
  declare readonly type: AllowedType<C>
  declare readonly blame: Blame
  /** The text in the default language. */
  declare readonly text: string | undefined
  /** The language of `text`, where known. */
  declare readonly lang: string | undefined
  /** Every text by language; empty when the only text's language is not known. */
  declare readonly texts: Texts
  declare readonly by: string | undefined
  declare readonly uri: string | undefined
  declare readonly application: XmlElement | undefined
  declare readonly expose: boolean
  /** When parsed from a peer's unknown or missing condition: the name it sent, if any. */
  declare readonly originalCondition: string | undefined
  /** When parsed: the element it was read from, as on xmpp.js's own errors. */
  declare readonly element: XmlElement | undefined

  constructor(condition: C, options: StanzaErrorOptions<C> = {} as StanzaErrorOptions<C>) {
    const entry = typeof condition === 'string' ? lookup('stanza', condition) : undefined
    if (entry === undefined) {
      throw new TypeError(`StanzaError: unknown stanza condition ${JSON.stringify(condition)}`)
    }
    checkOptions('StanzaError', condition, options, OPTIONS)
    // Each option read once, here: a constructor that sees options of many shapes reads every
    // property through a megamorphic lookup, which costs more than the rest of it.
    const { type: given, specifiedBy, application, uri, by, stack, expose } = options
    const texts = errorTexts(options.text, options.lang, 'StanzaError')
    const cause = 'cause' in options ? { cause: options.cause } : undefined
    const type = given ?? entry.type
    if (
      // The default type is one the registry allows (its tests hold it to that).
      given !== undefined &&
      !isAllowedType(condition, type) &&
      // A XEP may pair its application condition with a type outside the RFC's list.
      !(typeof specifiedBy === 'string' && application !== undefined && isErrorType(type))
    ) {
      throw new TypeError(
        `StanzaError: type ${JSON.stringify(type)} is not allowed for ${describe(entry)}; ` +
          `allowed: ${entry.types.join(', ')}`,
      )
    }
    if (uri !== undefined && entry.characterData !== 'xmpp-uri') {
      throw new TypeError(`StanzaError: uri is only carried by gone and redirect, not ${condition}`)
    }
    assertAddress('uri', uri)
    assertAddress('by', by)
    if (application !== undefined) assertApplication(application)
    const { text } = texts

    // V8 reads the limit when the error is made; restored right after, nothing runs between.
    const stackTraceLimit = Error.stackTraceLimit
    if (!(stack ?? entry.blame === 'server')) Error.stackTraceLimit = 0
    super(text ? `${condition} - ${text}` : condition, cause)
    Error.stackTraceLimit = stackTraceLimit
    // Declared fields, assigned here: class fields would define each one first, then set it.
    this.kind = 'stanza'
    this.condition = condition
    this.code = condition
    this.title = entry.title
    this.type = type as AllowedType<C>
    this.blame = entry.blame
    this.text = text
    this.lang = texts.lang
    this.texts = texts.texts
    this.by = written(by)
    this.uri = written(uri)
    this.application = application
    this.expose = expose ?? entry.blame === 'sender'
    this.originalCondition = undefined
    this.element = undefined
    this.name = 'StanzaError'
  }

  /**
   * `<error type by>` with condition, text (when exposed) and application condition, in RFC
   * order, built with the element class of `like` when given (see `xmlLike`). `lang` picks the text of that language, where the error has one, else the default;
   * `legacyCode` adds XEP-0086's `code` for peers that read only that.
   */
  toElement(options: ToElementOptions = {}): XmlElement {
    const xml = xmlLike(options.like)
    const attrs: Record<string, string> = { type: this.type }
    const by = this.by ?? written(options.by)
    if (by !== undefined) attrs.by = by
    const code = options.legacyCode ? lookup('stanza', this.condition).legacyCode : null
    if (code !== null) attrs.code = String(code)
    const [text, lang] = textIn(this, options.lang)
    return xml(
      'error',
      attrs,
      xml(this.condition, { xmlns: NS_STANZAS }, this.uri),
      this.expose && text !== undefined
        ? xml('text', { xmlns: NS_STANZAS, 'xml:lang': lang }, text)
        : undefined,
      this.application,
    )
  }

  /**
   * Reads an `<error/>`, or a stanza carrying one. Never throws: an unknown or missing condition
   * becomes `undefined-condition` (keeping the name in `originalCondition`), a type outside the
   * RFC's five becomes the condition's default, and anything unreadable is left out.
   */
  static fromElement(element: unknown, read: ReadLanguageOptions = {}): StanzaError {
    try {
      const found = readStanzaError(element, read.languages)
      return parsed(new StanzaError(found.condition, found.options), found.parsed)
    } catch {
      // Only objects no XML parser makes get here (getters that throw, say).
      return new StanzaError('undefined-condition')
    }
  }

  /**
   * The error reply to a request of ours, read from the rejection of xmpp.js's
   * `iqCaller.request()` as fromElement reads it: one call gives the typed condition, the text in
   * the first of `languages` it was sent in, and the application condition (which
   * `@xmpp-errors/xep`'s `read()` types). Undefined when the request failed in another way: a
   * timeout, a lost connection.
   */
  static fromRequest(reason: unknown, read: ReadLanguageOptions = {}): StanzaError | undefined {
    const element = requestErrorElement(reason)
    return element === undefined ? undefined : StanzaError.fromElement(element, read)
  }
}

/**
 * What a rejected request carries of the error reply: xmpp.js's iqCaller rejects with an error
 * whose `element` is the `<error/>` it read; one that could not read it may carry the reply
 * itself as `stanza`.
 */
function requestErrorElement(reason: unknown): unknown {
  try {
    if (typeof reason !== 'object' || reason === null) return undefined
    const { element, stanza } = reason as { element?: unknown; stanza?: unknown }
    if (isElement(element)) return element
    return isElement(stanza) ? stanza : undefined
  } catch {
    return undefined
  }
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

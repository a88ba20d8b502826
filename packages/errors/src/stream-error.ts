import {
  isStreamCondition,
  lookup,
  NS_STREAMS,
  type StreamCondition,
  type StreamEntry,
} from '@xmpp-errors/conditions'
import { brand } from './brand.js'
import { hasOwnNamespace, isElement, type XmlElement } from './element.js'
import { isSeeOtherHost } from './host.js'
import { checkOptions } from './options.js'
import { parsed, readStreamError } from './parse.js'
import { errorTexts, type Texts, textIn } from './text.js'
import { xmlLike } from './xml-like.js'

export interface StreamErrorBaseOptions {
  /**
   * Text for the peer (RFC 6120 §4.9.2); sent as a sibling of the condition. A string, or texts
   * by language (`{ en: 'bye', de: 'tschüss' }`), of which the element carries one.
   */
  text?: string | Texts
  /** `xml:lang` of a string text; with texts by language, the default one (else the first). */
  lang?: string
  /** An application-specific condition element, in a namespace of its own (RFC 6120 §4.9.4). */
  application?: XmlElement
  /** What led to this error; logged, never sent. */
  cause?: unknown
}

/** `host` exists only for `see-other-host`: `domain[:port]`, `ipv4[:port]` or `[ipv6][:port]`. */
export type StreamErrorOptions<C extends StreamCondition = StreamCondition> =
  StreamErrorBaseOptions & (C extends 'see-other-host' ? { host?: string } : { host?: never })

// Every option's name: `satisfies` fails to compile when one is missing here or is no option.
const OPTIONS = {
  text: true,
  lang: true,
  application: true,
  cause: true,
  host: true,
} as const satisfies Record<keyof StreamErrorOptions<'see-other-host'>, true>

/**
 * An XMPP stream error (RFC 6120 §4.9). Thrown from a handler, the `errors()` middleware sends
 * `<stream:error/>` and closes the stream; stream errors are unrecoverable for that stream.
 */
export class StreamError<C extends StreamCondition = StreamCondition> extends Error {
  declare readonly [brand]: 'stream'
  static {
    Object.defineProperty(StreamError.prototype, brand, { value: 'stream' })
  }
  declare readonly kind: 'stream'
  declare readonly condition: C
  /** The registry code: `stream-` and the condition. */
  declare readonly code: `stream-${C}`
  declare readonly title: string
  /** The text in the default language. */
  declare readonly text: string | undefined
  /** The language of `text`, where known. */
  declare readonly lang: string | undefined
  /** Every text by language; empty when the only text's language is not known. */
  declare readonly texts: Texts
  declare readonly host: string | undefined
  declare readonly application: XmlElement | undefined
  /** When parsed from a peer's unknown or missing condition: the name it sent, if any. */
  declare readonly originalCondition: string | undefined
  /** When parsed: the element it was read from. */
  declare readonly element: XmlElement | undefined

  constructor(condition: C, options: StreamErrorOptions<C> = {} as StreamErrorOptions<C>) {
    const entry: StreamEntry | undefined = isStreamCondition(condition)
      ? lookup('stream', condition)
      : undefined
    if (entry === undefined) {
      throw new TypeError(`StreamError: unknown stream condition ${JSON.stringify(condition)}`)
    }
    checkOptions('StreamError', condition, options, OPTIONS)
    if (options.host !== undefined) {
      if (entry.characterData !== 'host[:port]') {
        throw new TypeError(`StreamError: host is only carried by see-other-host, not ${condition}`)
      }
      if (!isSeeOtherHost(options.host)) {
        throw new TypeError(
          `StreamError: host ${JSON.stringify(options.host)} is not domain[:port] or [ipv6][:port]`,
        )
      }
    }
    const { application } = options
    if (application !== undefined) assertStreamApplication(application)
    const texts = errorTexts(options.text, options.lang, 'StreamError')
    const { text } = texts

    super(
      text ? `${condition} - ${text}` : condition,
      'cause' in options ? { cause: options.cause } : undefined,
    )
    // Declared fields, assigned here: class fields would define each one first, then set it.
    this.kind = 'stream'
    this.condition = condition
    this.code = entry.code as `stream-${C}`
    this.title = entry.title
    this.text = text
    this.lang = texts.lang
    this.texts = texts.texts
    this.host = options.host
    this.application = application
    this.originalCondition = undefined
    this.element = undefined
    this.name = 'StreamError'
  }

  /**
   * `<stream:error>` with the condition, then `<text/>` as its sibling, then the application
   * condition, built with the element class of `like` when given (see `StanzaError.toElement`).
   * `lang` picks the text of that language, where the error has one.
   */
  toElement(
    options: { like?: XmlElement | undefined; lang?: string | undefined } = {},
  ): XmlElement {
    const xml = xmlLike(options.like)
    const [text, lang] = textIn(this, options.lang)
    return xml(
      'stream:error',
      {},
      xml(this.condition, { xmlns: NS_STREAMS }, this.host),
      text === undefined ? undefined : xml('text', { xmlns: NS_STREAMS, 'xml:lang': lang }, text),
      this.application,
    )
  }

  /** Reads a `<stream:error/>`. Never throws; like `StanzaError.fromElement`. */
  static fromElement(element: unknown): StreamError {
    try {
      const read = readStreamError(element)
      return parsed(new StreamError(read.condition, read.options), read.parsed)
    } catch {
      // Only objects no XML parser makes get here (getters that throw, say).
      return new StreamError('undefined-condition')
    }
  }
}

function assertStreamApplication(application: unknown): asserts application is XmlElement {
  if (!isElement(application) || !hasOwnNamespace(application)) {
    throw new TypeError('application must be an XML element in a namespace of its own')
  }
}

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
// The code units ILLEGAL_XML_CHAR can start at: a text without any has nothing to replace. Read
// code unit by code unit (no u flag), and naming them rather than negating the legal ranges,
// this test is two to three times as fast as the replace: a text without surrogates costs that.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 forbids
const SUSPECT_CODE_UNIT = /[\0-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/

/**
 * Makes a string safe to put in an XML 1.0 document: characters XML 1.0 forbids become U+FFFD.
 * `@xmpp/xml` escapes markup but passes these through, and a server closes the stream of an
 * entity that sends one, so one bad character would take the whole component offline.
 */
export function sanitizeXmlText(value: string): string {
  if (!SUSPECT_CODE_UNIT.test(value)) return value
  return value.replace(ILLEGAL_XML_CHAR, '\uFFFD')
}

/**
 * The first `length` UTF-16 code units of `value`, one fewer where the cut would leave half a
 * surrogate pair at the end.
 */
export function cutAt(value: string, length: number): string {
  const kept = value.slice(0, Math.max(0, length))
  const last = kept.charCodeAt(kept.length - 1)
  return last >= 0xd800 && last <= 0xdbff ? kept.slice(0, -1) : kept
}

/**
 * Sanitised and capped error text, without splitting a surrogate pair at the cut. A cut text
 * ends in `…`, which counts towards `max`, so the result is never longer than `max`.
 */
export function errorText(value: string, max = MAX_TEXT_LENGTH): string {
  if (value.length <= max) return sanitizeXmlText(value)
  return sanitizeXmlText(`${cutAt(value, max - 1)}…`)
}

// RFC 5646 language tags, loosely: what xml:lang may hold without surprising a peer. The primary
// subtag is an ISO 639 code of 2 or 3 letters (§2.2.1: longer ones are reserved or registered
// with none assigned, so 'english' is a name, not a tag), or the x- (private use) or i-
// (grandfathered) prefix with the subtags that follow it.
const LANGUAGE_TAG = /^(?:[A-Za-z]{2,3}|[xXiI](?=-))(?:-[A-Za-z0-9]{1,8})*$/

export function isLanguageTag(value: unknown): value is string {
  return typeof value === 'string' && LANGUAGE_TAG.test(value)
}

/** An error's text in several languages, keyed by language tag: `{ en: 'no such note', de: '…' }`. */
export type Texts = Readonly<Record<string, string>>

/** Most languages kept from one peer's error: each `<text/>` is capped, so this caps them all. */
export const MAX_LANGUAGES = 32

/** The text of an error in its default language, that language, and every text by language. */
export interface ErrorTexts {
  text: string | undefined
  lang: string | undefined
  texts: Texts
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

const NO_TEXTS: Texts = Object.freeze(Object.create(null) as Record<string, string>)

/**
 * A null-prototype frozen map, so that no language tag (`toString`, say) meets a prototype key.
 * Most errors have no text by language: they share one empty map.
 */
export function freezeTexts(entries: Array<[string, string]>): Texts {
  if (entries.length === 0) return NO_TEXTS
  return Object.freeze(
    Object.assign(Object.create(null) as Record<string, string>, Object.fromEntries(entries)),
  )
}

// What most errors have: no text.
const NO_TEXT: ErrorTexts = Object.freeze({ text: undefined, lang: undefined, texts: NO_TEXTS })

/**
 * Reads the `text` and `lang` options of an error. `text` is a string in the language `lang`,
 * or a map of texts by language, whose default is `lang` or else its first language. Texts are
 * sanitised and capped as `errorText` does; anything else is a TypeError naming `where`.
 */
export function errorTexts(text: unknown, lang: unknown, where: string): ErrorTexts {
  if (lang !== undefined && !isLanguageTag(lang)) {
    throw new TypeError(`${where}: lang ${JSON.stringify(lang)} is not a language tag`)
  }
  if (text === undefined) return lang === undefined ? NO_TEXT : { text, lang, texts: NO_TEXTS }
  if (typeof text === 'string') {
    const value = text ? errorText(text) : undefined
    return {
      text: value,
      lang,
      texts: freezeTexts(value !== undefined && lang !== undefined ? [[lang, value]] : []),
    }
  }
  if (!isPlainObject(text)) {
    throw new TypeError(
      `${where}: text must be a string or an object of texts by language, e.g. { en: '…', de: '…' }`,
    )
  }
  const entries: Array<[string, string]> = []
  const seen = new Set<string>()
  for (const [tag, value] of Object.entries(text)) {
    if (!isLanguageTag(tag)) {
      throw new TypeError(`${where}: text key ${JSON.stringify(tag)} is not a language tag`)
    }
    // Language tags compare without case (RFC 5646 §2.1.1): en and EN would be one language.
    if (seen.has(tag.toLowerCase())) {
      throw new TypeError(`${where}: text has language ${JSON.stringify(tag)} twice`)
    }
    seen.add(tag.toLowerCase())
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`${where}: text.${tag} must be a non-empty string`)
    }
    entries.push([tag, errorText(value)])
  }
  const first = entries[0]
  if (first === undefined) throw new TypeError(`${where}: text has no language`)
  const chosen =
    lang === undefined ? first : entries.find(([tag]) => tag.toLowerCase() === lang.toLowerCase())
  if (chosen === undefined) {
    throw new TypeError(`${where}: lang ${JSON.stringify(lang)} is not one of the text's languages`)
  }
  return { text: chosen[1], lang: chosen[0], texts: freezeTexts(entries) }
}

/** The text to write for `lang` when the error has it, else the error's default text and language. */
export function textIn(
  error: ErrorTexts,
  lang: string | undefined,
): [string | undefined, string | undefined] {
  if (lang !== undefined && Object.hasOwn(error.texts, lang)) return [error.texts[lang], lang]
  return [error.text, error.lang]
}

/**
 * The first of `wanted` that `available` has, trying each tag and then its primary subtag (`de`
 * for `de-CH`) before the next, as RFC 4647 §3.4 lookup does for a priority list such as
 * `navigator.languages`. Tags compare without case (RFC 5646 §2.1.1); the result is spelt as in
 * `available`. Undefined when none matches.
 */
export function lookupLanguage(
  available: readonly string[],
  wanted: Iterable<unknown>,
): string | undefined {
  if (available.length === 0) return undefined
  const find = (tag: string) => {
    const lower = tag.toLowerCase()
    return available.find((a) => a.toLowerCase() === lower)
  }
  let tried = 0
  for (const tag of wanted) {
    // A peer or a page may hand over anything: only so many strings are looked at.
    if (++tried > MAX_LANGUAGES) break
    if (typeof tag !== 'string' || tag === '') continue
    const found = find(tag) ?? find(tag.split('-')[0] as string)
    if (found !== undefined) return found
  }
  return undefined
}

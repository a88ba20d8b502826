import { lookupLanguage } from '@xmpp-errors/errors'

/**
 * The language of the text in an error reply: the requester's `xml:lang` (RFC 6120 §8.3.2 lets
 * a reply carry text in it), then that tag's primary subtag (`de` for `de-CH`), then the
 * component's own language, then its primary subtag. Tags compare without case (RFC 5646
 * §2.1.1). Undefined when none of them is available: the error's default text is sent.
 */
export function textLanguage(
  available: readonly string[],
  requested: unknown,
  fallback: string,
): string | undefined {
  return lookupLanguage(available, [requested, fallback])
}

/**
 * The languages an error has texts in. An error made by another (older) copy of
 * `@xmpp-errors/errors` may have no `texts`: it has none then, and its own text is sent.
 */
export function languagesOf(error: { readonly texts?: unknown }): string[] {
  const texts = error.texts
  return typeof texts === 'object' && texts !== null ? Object.keys(texts) : []
}

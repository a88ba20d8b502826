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
  // Most errors have no text by language: nothing to choose from.
  if (available.length === 0) return undefined
  const find = (tag: string) => {
    const wanted = tag.toLowerCase()
    return available.find((a) => a.toLowerCase() === wanted)
  }
  const primary = (tag: string) => tag.split('-')[0] ?? tag
  const tags =
    typeof requested === 'string' && requested !== '' ? [requested, primary(requested)] : []
  for (const tag of [...tags, fallback, primary(fallback)]) {
    const found = find(tag)
    if (found !== undefined) return found
  }
  return undefined
}

/**
 * The languages an error has texts in. An error made by another (older) copy of
 * `@xmpp-errors/errors` may have no `texts`: it has none then, and its own text is sent.
 */
export function languagesOf(error: { readonly texts?: unknown }): string[] {
  const texts = error.texts
  return typeof texts === 'object' && texts !== null ? Object.keys(texts) : []
}

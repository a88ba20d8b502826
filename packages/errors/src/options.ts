/**
 * The options a constructor was given, checked before any is read: an object, and only names it
 * knows. xmpp.js's positional text (`new StanzaError('item-not-found', 'no such note')`) is not an
 * object, and a misspelt or foreign name (Slixmpp's `etype`) would otherwise be ignored in silence.
 */
export function checkOptions(
  of: 'StanzaError' | 'StreamError',
  condition: unknown,
  options: unknown,
  known: Readonly<Record<string, true>>,
): void {
  if (typeof options !== 'object' || options === null) {
    const example = typeof options === 'string' ? JSON.stringify(options) : "'…'"
    throw new TypeError(
      `${of}: the second argument is an options object, as in new ${of}(${JSON.stringify(condition)}, { text: ${example} })`,
    )
  }
  for (const name in options) {
    if (!Object.hasOwn(known, name)) {
      throw new TypeError(
        `${of}: unknown option ${JSON.stringify(name)}; the options are ${Object.keys(known).join(', ')}`,
      )
    }
  }
}

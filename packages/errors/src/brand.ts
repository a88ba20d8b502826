/**
 * A registry-wide symbol, so that errors made by another installed copy of this package (a
 * nested node_modules, another realm) are still recognised, where `instanceof` would fail.
 */
export const brand: unique symbol = Symbol.for('@xmpp-errors/errors.kind')

/** The brand's value on `value`: `'stanza'`, `'stream'`, or anything else for a foreign value. */
export function kindOf(value: unknown): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined
  try {
    return (value as { [brand]?: unknown })[brand]
  } catch {
    // A Proxy or a throwing getter is not one of ours.
    return undefined
  }
}

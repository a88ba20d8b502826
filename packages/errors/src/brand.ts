import type { StanzaError } from './stanza-error.js'
import type { StreamError } from './stream-error.js'

/**
 * A registry-wide symbol, so that errors made by another installed copy of this package (a
 * nested node_modules, another realm) are still recognised, where `instanceof` would fail.
 */
export const brand: unique symbol = Symbol.for('@xmpp-errors/errors.kind')

function kindOf(value: unknown): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined
  try {
    return (value as { [brand]?: unknown })[brand]
  } catch {
    // A Proxy or a throwing getter is not one of ours.
    return undefined
  }
}

export function isStanzaError(value: unknown): value is StanzaError {
  return kindOf(value) === 'stanza'
}

export function isStreamError(value: unknown): value is StreamError {
  return kindOf(value) === 'stream'
}

export function isXmppError(value: unknown): value is StanzaError | StreamError {
  const kind = kindOf(value)
  return kind === 'stanza' || kind === 'stream'
}

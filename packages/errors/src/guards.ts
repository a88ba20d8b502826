// Recognise errors by their brand, across copies of this package (see `brand`).
import { kindOf } from './brand.js'
import type { StanzaError } from './stanza-error.js'
import type { StreamError } from './stream-error.js'

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

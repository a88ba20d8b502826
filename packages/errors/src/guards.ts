// Recognise errors by their brand, across copies of this package (see `brand`).
import type { StanzaCondition, StreamCondition } from '@xmpp-errors/conditions'
import { kindOf } from './brand.js'
import type { StanzaError } from './stanza-error.js'
import type { StreamError } from './stream-error.js'

/** A StanzaError, of any copy of this package; with `condition`, only one of that condition. */
export function isStanzaError<C extends StanzaCondition = StanzaCondition>(
  value: unknown,
  condition?: C,
): value is StanzaError<C> {
  return kindOf(value) === 'stanza' && (condition === undefined || conditionOf(value) === condition)
}

/** A StreamError, of any copy of this package; with `condition`, only one of that condition. */
export function isStreamError<C extends StreamCondition = StreamCondition>(
  value: unknown,
  condition?: C,
): value is StreamError<C> {
  return kindOf(value) === 'stream' && (condition === undefined || conditionOf(value) === condition)
}

const conditionOf = (error: unknown): unknown => (error as { condition?: unknown }).condition

export function isXmppError(value: unknown): value is StanzaError | StreamError {
  const kind = kindOf(value)
  return kind === 'stanza' || kind === 'stream'
}

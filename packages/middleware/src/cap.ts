import { cutAt } from '@xmpp-errors/errors'

/**
 * Longest string a peer controls that goes into a record as it is, in UTF-16 code units: an
 * `id` or an address of 200 KB must not become a log line of 200 KB.
 */
export const MAX_RECORDED_LENGTH = 256

/** `value`, or its first `max` code units and a mark saying how much was cut. */
export function capped(value: string, max = MAX_RECORDED_LENGTH): string {
  if (value.length <= max) return value
  const kept = cutAt(value, max)
  return `${kept}…[cut ${value.length - kept.length} chars]`
}

/** A value a peer sent (an attribute, a name) as recorded: capped, and only if it is a string. */
export function recorded(value: unknown): string | undefined {
  return typeof value === 'string' ? capped(value) : undefined
}

/**
 * The longest log line of any record, in UTF-8 bytes, whatever a peer sends, as written by the
 * default logger or by pino: every field a peer controls is capped (above, and the text at
 * `MAX_TEXT_LENGTH`), and a capped character takes at most 6 bytes once written as JSON
 * (`\u0001`, a lone surrogate's `\ud800`). Fewer than 8,000 capped characters reach a record;
 * the rest is ours.
 */
export const MAX_RECORD_LINE = 64 * 1024

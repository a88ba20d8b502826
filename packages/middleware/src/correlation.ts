import { correlationId } from './record.js'

/** Gives the correlation id of the next record, e.g. the active trace's id; may give none. */
export type CorrelationId = () => string | undefined

/**
 * The correlation ids of an errors() or guard(): the user's when it gives one, else a generated
 * one. A source that throws or returns nothing must not cost a record its id.
 */
export function correlationIdFrom(source: CorrelationId | undefined): () => string {
  if (source === undefined) return correlationId
  return () => {
    try {
      const id = source()
      if (typeof id === 'string' && id !== '') return id
    } catch {}
    return correlationId()
  }
}

/** Gives the correlation id of the next record, e.g. the active trace's id; may give none. */
export type CorrelationId = () => string | undefined

/**
 * A source of generated ids with its own random tag and sequence: cheaper than a UUID on the
 * error path, unique within the source and (very likely) across sources and processes.
 */
export function generatedIds(): () => string {
  const tag = Math.random().toString(36).slice(2, 8)
  let sequence = 0
  return () => {
    sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER
    // Decimal: V8 writes a number in base 36 through the runtime, several times slower.
    return `${tag}-${sequence}`
  }
}

/**
 * The correlation ids of an errors() or guard(): the user's when it gives one, else a generated
 * one. A source that throws or returns nothing must not cost a record its id.
 */
export function correlationIdFrom(source: CorrelationId | undefined): () => string {
  const generated = generatedIds()
  if (source === undefined) return generated
  return () => {
    try {
      const id = source()
      if (typeof id === 'string' && id !== '') return id
    } catch {}
    return generated()
  }
}

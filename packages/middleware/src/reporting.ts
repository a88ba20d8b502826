import { type CorrelationId, correlationIdFrom } from './correlation.js'
import { defaultLogger } from './logger.js'
import type { ErrorRecord } from './record.js'
import type { Logger } from './types.js'

/** Where the records of guard() and errors() go: options of both. */
export interface ReportingOptions {
  /** pino-compatible logger. Default: one JSON line per warning or error on stderr. */
  logger?: Logger
  /** Receives every record that is logged, for metrics. Its throws are ignored. */
  onError?: (record: ErrorRecord) => void
  /**
   * The correlation id of each record, e.g. the active trace's id. When it returns nothing (or
   * throws) the record gets a generated one.
   */
  correlationId?: CorrelationId
}

/** What one guard() or errors() records with. */
export interface Reporter {
  logger: Logger
  onError: (record: ErrorRecord) => void
  nextId: () => string
}

// What was given for each entity, to guard() or to an errors(): the first given of each kind.
const shared = new WeakMap<object, ReportingOptions>()

/**
 * The reporter of a guard() or errors() of `entity`. guard() and errors() of one entity record
 * to the same place when either was told where: an option given to one is shared with the other
 * through the entity, and each reads, at every record, its own option, else the shared one, else
 * the default. errors() knows its entity from the first stanza it handles.
 */
export function reporterFor(entity: object, given: ReportingOptions): Reporter {
  let known = shared.get(entity)
  if (known === undefined) {
    known = {}
    shared.set(entity, known)
  }
  const mine = known
  for (const key of ['logger', 'onError', 'correlationId'] as const) {
    if (given[key] !== undefined && mine[key] === undefined)
      Object.assign(mine, { [key]: given[key] })
  }
  const fallback = defaultLogger()
  const logger = () => given.logger ?? mine.logger ?? fallback
  const source = () => (given.correlationId ?? mine.correlationId)?.()
  return {
    logger: {
      debug: (object, message) => logger().debug(object, message),
      warn: (object, message) => logger().warn(object, message),
      error: (object, message) => logger().error(object, message),
    },
    onError: (record) => (given.onError ?? mine.onError)?.(record),
    nextId: correlationIdFrom(source),
  }
}

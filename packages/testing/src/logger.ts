import type { ErrorRecord } from '@xmpp-errors/middleware'

/**
 * A pino-compatible logger that keeps every call, for assertions: `logger.warn(object, msg)`,
 * `logger.warn(msg)`, `child()` and `level` work as pino's do, and nothing is printed.
 */

export type RecordedLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'

export interface LogEntry {
  level: RecordedLevel
  /** The object argument, as passed (the same reference), or {} when the call had none. */
  object: Record<string, unknown>
  msg: string | undefined
}

type LogFn = {
  (object: object, msg?: string, ...args: unknown[]): void
  (msg: string, ...args: unknown[]): void
}

export interface RecordingLogger {
  readonly entries: LogEntry[]
  level: string
  trace: LogFn
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
  fatal: LogFn
  /** pino's child(): records into the same list, with `bindings` merged into a copy. */
  child(bindings: Record<string, unknown>): RecordingLogger
  /** The entries matching `predicate`. */
  where(predicate: (entry: LogEntry) => boolean): LogEntry[]
  /** The records errors() and guard() logged, in order. */
  records(): ErrorRecord[]
  /**
   * Calls `listener` with each entry as it is logged, by this logger or its children: the test
   * entity tells by it which request an entry belongs to.
   */
  listen(listener: (entry: LogEntry) => void): void
  clear(): void
}

export function recordingLogger(): RecordingLogger {
  return logging([], {}, [])
}

function logging(
  entries: LogEntry[],
  bindings: Record<string, unknown>,
  listeners: Array<(entry: LogEntry) => void>,
): RecordingLogger {
  const log =
    (level: RecordedLevel): LogFn =>
    (first: object | string, msg?: unknown) => {
      const entry: LogEntry =
        typeof first === 'string'
          ? { level, object: { ...bindings }, msg: first }
          : {
              level,
              object:
                Object.keys(bindings).length === 0
                  ? (first as Record<string, unknown>)
                  : { ...bindings, ...(first as Record<string, unknown>) },
              msg: typeof msg === 'string' ? msg : undefined,
            }
      entries.push(entry)
      for (const listener of listeners) listener(entry)
    }
  return {
    entries,
    level: 'trace',
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    fatal: log('fatal'),
    child: (more) => logging(entries, { ...bindings, ...more }, listeners),
    where: (predicate) => entries.filter(predicate),
    records: () => recordsOf(entries),
    listen: (listener) => {
      listeners.push(listener)
    },
    clear: () => {
      entries.length = 0
    },
  }
}

/** Whether a logged object is a record of errors() or guard(). */
export function isErrorRecord(object: unknown): object is ErrorRecord {
  if (typeof object !== 'object' || object === null) return false
  const { xmpp, correlationId } = object as Partial<ErrorRecord>
  return typeof xmpp === 'object' && xmpp !== null && typeof correlationId === 'string'
}

export function recordsOf(entries: readonly LogEntry[]): ErrorRecord[] {
  const records: ErrorRecord[] = []
  for (const { object } of entries) if (isErrorRecord(object)) records.push(object)
  return records
}

/** A dotted path into a recorded object, e.g. `get(entry.object, 'stanza.id')`. */
export function get(object: unknown, path: string): unknown {
  let value: unknown = object
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

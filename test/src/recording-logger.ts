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
  clear(): void
}

export function recordingLogger(
  entries: LogEntry[] = [],
  bindings: Record<string, unknown> = {},
): RecordingLogger {
  const log =
    (level: RecordedLevel): LogFn =>
    (first: object | string, msg?: unknown) => {
      if (typeof first === 'string') {
        entries.push({ level, object: { ...bindings }, msg: first })
        return
      }
      const object =
        Object.keys(bindings).length === 0
          ? (first as Record<string, unknown>)
          : { ...bindings, ...(first as Record<string, unknown>) }
      entries.push({ level, object, msg: typeof msg === 'string' ? msg : undefined })
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
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
    where: (predicate) => entries.filter(predicate),
    clear: () => {
      entries.length = 0
    },
  }
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

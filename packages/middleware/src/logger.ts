import type { Logger } from './types.js'

function serialize(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') {
    return String(value)
  }
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return '[Circular]'
  seen.add(value)
  try {
    if (value instanceof Error || typeof (value as Error).stack === 'string') {
      const error = value as Error
      const out: Record<string, unknown> = {
        type: error.name,
        message: error.message,
        stack: error.stack,
      }
      if (error.cause !== undefined) out.cause = serialize(error.cause, seen)
      return out
    }
    if (Array.isArray(value)) return value.map((item) => serialize(item, seen))
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      out[key] = serialize((value as Record<string, unknown>)[key], seen)
    }
    return out
  } catch {
    return '[Unserialisable]'
  }
}

/** Bytes waiting in stderr's buffer past which lines are counted instead of queued. */
export const MAX_PENDING_STDERR = 1024 * 1024

/**
 * Writes to stderr unless a slow reader (a pipe, a journal) has left more than
 * MAX_PENDING_STDERR waiting: then lines are dropped and counted, and the count is written when
 * stderr drains, rather than queueing without bound in memory.
 */
function boundedStderr(): (line: string) => void {
  let dropped = 0
  const report = () => {
    if (dropped === 0) return
    const msg = `dropped ${dropped} log lines while stderr was not draining`
    dropped = 0
    process.stderr.write(`${JSON.stringify({ level: 'warn', time: Date.now(), msg })}\n`)
  }
  return (line) => {
    const stderr = process.stderr
    if (stderr.writableLength > MAX_PENDING_STDERR) {
      // One listener at a time, however many lines are dropped.
      if (dropped++ === 0) stderr.once('drain', report)
      return
    }
    report()
    stderr.write(line)
  }
}

/**
 * Used when no logger is given: one JSON line per warning or error on stderr, so an error is
 * never lost silently. Debug records (incoming errors) are left out to keep stderr quiet, and
 * lines a stalled stderr cannot take are counted rather than held in memory.
 */
export function stderrLogger(write: (line: string) => void = boundedStderr()): Logger {
  const log = (level: string) => (object: object, msg: string) => {
    const line = { level, time: Date.now(), ...(serialize(object) as object), msg }
    write(`${JSON.stringify(line)}\n`)
  }
  return { debug() {}, warn: log('warn'), error: log('error') }
}

/**
 * The console's warn and error, for a runtime without stderr (a browser): the message first and
 * the record as an object, which the browser's console shows unfolded on a click.
 */
export function consoleLogger(out: Pick<Console, 'warn' | 'error'> = console): Logger {
  return {
    debug() {},
    warn: (object, msg) => out.warn(msg, object),
    error: (object, msg) => out.error(msg, object),
  }
}

/** The logger of errors() and guard() when none is given: stderr on Node.js, else the console. */
export function defaultLogger(): Logger {
  const stderr = (globalThis as { process?: { stderr?: { write?: unknown } } }).process?.stderr
  return typeof stderr?.write === 'function' ? stderrLogger() : consoleLogger()
}

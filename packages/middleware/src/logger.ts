import type { Logger } from './types.js'

function serialise(value: unknown, seen = new WeakSet<object>()): unknown {
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
      if (error.cause !== undefined) out.cause = serialise(error.cause, seen)
      return out
    }
    if (Array.isArray(value)) return value.map((item) => serialise(item, seen))
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      out[key] = serialise((value as Record<string, unknown>)[key], seen)
    }
    return out
  } catch {
    return '[Unserialisable]'
  }
}

/**
 * Used when no logger is given: one JSON line per warning or error on stderr, so an error is
 * never lost silently. Debug records (incoming errors) are left out to keep stderr quiet.
 */
export function stderrLogger(
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const log = (level: string) => (object: object, msg: string) => {
    const line = { level, time: Date.now(), ...(serialise(object) as object), msg }
    write(`${JSON.stringify(line)}\n`)
  }
  return { debug() {}, warn: log('warn'), error: log('error') }
}

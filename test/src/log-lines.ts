import { type Logger, stderrLogger } from '@xmpp-errors/middleware'
import { pino } from 'pino'

export interface LogLines {
  /** Writes each record twice: as the default logger would, and as pino would. */
  logger: Logger
  /** Every line written, by either, as it would reach stderr or a file. */
  lines: string[]
}

/**
 * The default logger and a real pino (at debug) side by side, their lines kept. pino is a
 * dependency of these tests for this: the line bound is promised for pino's lines too, and pino
 * writes an error's causes its own way (their messages and stacks, joined).
 */
export function logLines(): LogLines {
  const lines: string[] = []
  const standard = stderrLogger((line) => lines.push(line))
  const written = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) })
  const both =
    (level: 'debug' | 'warn' | 'error') =>
    (object: object, msg: string): void => {
      standard[level](object, msg)
      written[level](object, msg)
    }
  return { logger: { debug: both('debug'), warn: both('warn'), error: both('error') }, lines }
}

/** The longest of `lines`, in UTF-8 bytes. */
export function longest(lines: readonly string[]): number {
  return Math.max(0, ...lines.map((line) => Buffer.byteLength(line)))
}

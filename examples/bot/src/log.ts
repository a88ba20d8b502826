import { isatty } from 'node:tty'
import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import type { LogLevel } from './config.js'

/** Bytes of log lines that may wait for a slow stdout; past them, lines are dropped and counted. */
export const MAX_QUEUED_BYTES = 1024 * 1024

/** What a LogOutput writes to: process.stdout, or a test's stream. */
export interface LogSink {
  write(chunk: Uint8Array): boolean
  readonly writableLength: number
  on(event: 'drain', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'drain', listener: () => void): unknown
}

/**
 * Log lines on their way to stdout, with a bound on what waits there. A stdout that nobody reads
 * (a pipe to a stuck collector) must neither grow the process without end nor hold it at exit:
 * pino's own destination buffers without limit and, at exit, retries a full pipe forever. Here
 * lines go to Node's stdout stream, which writes a pipe without blocking; past `maxQueued`
 * bytes waiting, a line is dropped and counted, and the count is told once stdout drains again.
 */
export class LogOutput {
  readonly #sink: LogSink
  readonly #maxQueued: number
  #dropped = 0
  #broken = false

  constructor(
    sink: LogSink,
    options: { maxQueued?: number; onDropped?: (lines: number) => void } = {},
  ) {
    this.#sink = sink
    this.#maxQueued = options.maxQueued ?? MAX_QUEUED_BYTES
    // EPIPE and the like: the reader is gone, so every later line is dropped, not thrown.
    sink.on('error', () => {
      this.#broken = true
    })
    sink.on('drain', () => {
      const lines = this.#dropped
      if (lines === 0 || this.#broken) return
      this.#dropped = 0
      try {
        options.onDropped?.(lines)
      } catch {}
    })
  }

  /** Lines dropped since stdout last drained. */
  get dropped(): number {
    return this.#dropped
  }

  /** Bytes waiting for stdout. */
  get queued(): number {
    return this.#sink.writableLength
  }

  write(line: string): void {
    const chunk = Buffer.from(line, 'utf8')
    if (this.#broken || this.#sink.writableLength + chunk.length > this.#maxQueued) {
      this.#dropped++
      return
    }
    this.#sink.write(chunk)
  }

  /** Resolves true once nothing waits for stdout, or false after `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.#broken || this.#sink.writableLength === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (empty: boolean) => {
        clearTimeout(timer)
        this.#sink.off('drain', onDrain)
        resolve(empty)
      }
      const onDrain = () => done(true)
      const timer = setTimeout(() => done(false), timeoutMs)
      this.#sink.on('drain', onDrain)
    })
  }
}

/**
 * The bot's logger: JSON lines through a LogOutput when stdout is a pipe or a file (a log
 * collector, the demo), pino-pretty's lines on a terminal.
 */
export function createLogger(options: { level: LogLevel; domain: string }): {
  logger: Logger
  output: LogOutput
} {
  let logger: Logger | undefined
  const output = new LogOutput(process.stdout, {
    onDropped: (lines) =>
      logger?.warn(
        { event: 'log-dropped', lines },
        `${lines} log lines dropped while stdout was not read`,
      ),
  })
  const base = { level: options.level, base: { component: options.domain } }
  logger = isatty(1)
    ? pino(base, pretty({ colorize: true, translateTime: 'HH:MM:ss.l' }))
    : pino(base, output)
  return { logger, output }
}

import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { SetupError } from './setup-error.js'
import type { Target } from './target.js'

// The bot, as the demo runs it: main.js in a child process, configured by BOT_* variables, its
// pino log read line by line from its stdout.

/** One line of the bot's pino log. */
export interface LogRecord {
  /** pino's number; errors()' records also carry their level's name under the same key. */
  level: number | string
  msg: string
  event?: string
  /** The bot's own lines summarize the stanza; errors()' records carry its `id` flat. */
  stanza?: { id?: string; name?: string; type?: string }
  id?: string
  condition?: string
  correlationId?: string
  [key: string]: unknown
}

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
}

/** Demo limits, small so that the limits are reached in a few requests. */
export const demoLimits = {
  maxKeys: 5,
  maxValueLength: 200,
  rate: 20,
  burst: 40,
  errorLimit: 30,
} as const

export interface BotProcess {
  child: ChildProcess
  records: LogRecord[]
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<string>
  /** Resolves once stdout is fully read. */
  drained: Promise<void>
  stderr: string[]
}

/** Starts the bot as a component of `target`, its metrics exported to `metricsEndpoint`. */
export function startBot(target: Target, metricsEndpoint: string): BotProcess {
  const main = fileURLToPath(new URL('../main.js', import.meta.url))
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      BOT_SERVICE: target.componentService,
      BOT_DOMAIN: target.bot,
      BOT_SECRET: target.secret,
      BOT_ADMINS: target.admin.jid,
      BOT_MAX_KEYS: String(demoLimits.maxKeys),
      BOT_MAX_VALUE_LENGTH: String(demoLimits.maxValueLength),
      BOT_RATE: String(demoLimits.rate),
      BOT_BURST: String(demoLimits.burst),
      BOT_ERROR_LIMIT: String(demoLimits.errorLimit),
      BOT_LOG_LEVEL: 'info',
      // The bot's metrics go to the demo's own OTLP endpoint, read back at the end.
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: metricsEndpoint,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const records: LogRecord[] = []
  const stderr: string[] = []
  const out = createInterface({ input: child.stdout as NodeJS.ReadableStream })
  out.on('line', (line) => {
    try {
      records.push(JSON.parse(line) as LogRecord)
    } catch {
      stderr.push(line)
    }
  })
  const drained = new Promise<void>((resolve) => out.once('close', resolve))
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) =>
    stderr.push(line),
  )
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`))
    child.once('error', (error) => resolve(error.message))
  })
  return { child, records, exited, drained, stderr }
}

/**
 * Resolves once the bot logs that it is online; a bot that exits first, or stays offline, is a
 * SetupError with its stderr. `external`: the target is the user's server.
 */
export async function waitOnline(
  bot: BotProcess,
  external: boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exit: string | undefined
  void bot.exited.then((how) => {
    exit = how
  })
  while (!bot.records.some((r) => r.event === 'online')) {
    if (exit !== undefined) {
      await bot.drained
      const hint = external
        ? '\n(the demo hands the bot DEMO_COMPONENT_SERVICE as BOT_SERVICE, DEMO_COMPONENT_DOMAIN as BOT_DOMAIN and DEMO_SECRET as BOT_SECRET)'
        : ''
      throw new SetupError(
        `the bot exited (${exit}) instead of coming online:\n${bot.stderr.join('\n')}${hint}`,
      )
    }
    if (Date.now() > deadline) throw new SetupError(`the bot was not online after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the bot has exited. */
export async function stopBot(bot: BotProcess): Promise<void> {
  if (bot.child.exitCode !== null || bot.child.signalCode !== null) return
  bot.child.kill('SIGTERM')
  const timer = setTimeout(() => bot.child.kill('SIGKILL'), 3_000)
  await bot.exited
  clearTimeout(timer)
}

/** What the report shows of a log record. */
export interface LogLine {
  level: string
  msg: string
  correlationId?: string
}

function levelName(level: number | string): string {
  return typeof level === 'number' ? (LEVELS[level] ?? String(level)) : level
}

/** The bot's log line about the stanza `id`: its error record when it wrote one. */
export function logFor(records: LogRecord[], id: string): LogLine | undefined {
  const mine = records.filter((r) => (r.id ?? r.stanza?.id) === id)
  // Prefer the error record; a success may have an info line.
  const record =
    mine.find((r) => ['warn', 'error', 'fatal'].includes(levelName(r.level))) ?? mine[0]
  if (!record) return undefined
  return {
    level: levelName(record.level),
    msg: record.msg,
    ...(record.correlationId ? { correlationId: record.correlationId } : {}),
  }
}

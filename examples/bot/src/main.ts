#!/usr/bin/env node
// The bot's entry point: `node examples/bot/dist/main.js`, configured by BOT_* variables.
import pino from 'pino'
import pretty from 'pino-pretty'
import { createBot, StartupError } from './bot.js'
import { ConfigError, loadConfig, usage } from './config.js'
import { startMetrics } from './metrics.js'

function fail(message: string, code: number): never {
  process.stderr.write(`xmpp-errors bot: ${message}\n`)
  process.exit(code)
}

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig(process.env)
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  fail(`${error.message}\n\n${usage}`, 2)
}

// JSON lines when piped (to a log collector, or the demo), readable lines on a terminal.
const logger = pino(
  { level: config.logLevel, base: { component: config.domain } },
  process.stdout.isTTY ? pretty({ colorize: true, translateTime: 'HH:MM:ss.l' }) : undefined,
)

// Metrics go out only when OTEL_METRICS_EXPORTER or an OTLP endpoint is set (see README).
const metrics = await startMetrics(process.env, logger)
const bot = createBot(config, logger, metrics && { onError: metrics.onError })
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ event: 'signal', signal }, `${signal}: stopping`)
    void bot.stop()
  })
}

try {
  await bot.start()
} catch (error) {
  if (error instanceof StartupError) {
    await metrics?.shutdown()
    fail(error.message, 1)
  }
  throw error
}
await bot.stopped
await metrics?.shutdown()
logger.flush()
process.exit(0)

#!/usr/bin/env node
// The bot's entry point: `node examples/bot/dist/main.js`, configured by BOT_* variables.
import { createBot, StartupError } from './bot.js'
import { ConfigError, loadConfig, usage } from './config.js'
import { createLogger } from './log.js'
import { startMetrics } from './metrics.js'

/** From SIGINT or SIGTERM to exit, at most, whatever the server or stdout do meanwhile. */
const SHUTDOWN_MS = 1_500
/** Of which the last log lines may take this long to leave. */
const LOG_DRAIN_MS = 250

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

const { logger, output } = createLogger({ level: config.logLevel, domain: config.domain })

/** Exits once the log lines so far have left, or LOG_DRAIN_MS later: a stalled stdout keeps them. */
async function exit(code: number): Promise<never> {
  await output.drained(LOG_DRAIN_MS)
  process.exit(code)
}

// Metrics go out only when OTEL_METRICS_EXPORTER or an OTLP endpoint is set (see README).
const metrics = await startMetrics(process.env, logger)
const bot = createBot(
  config,
  logger,
  metrics && { onError: metrics.onError, countStanzas: metrics.middleware },
)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ event: 'signal', signal }, `${signal}: stopping`)
    // A server that never answers the stream's close must not keep the process either.
    setTimeout(() => void exit(0), SHUTDOWN_MS - LOG_DRAIN_MS).unref()
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
await exit(0)

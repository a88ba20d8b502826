import type { MetricReader, PushMetricExporter } from '@opentelemetry/sdk-metrics'
import type { ErrorRecord, Middleware } from '@xmpp-errors/middleware'
import type { BotLogger } from './context.js'

/** The bot's metrics export, when the environment asks for one. */
export interface Metrics {
  onError: (record: ErrorRecord) => void
  /** Counts each stanza, for the error rate: installed before errors(). */
  middleware: Middleware
  /** Exports what is left and stops: call it before the process exits. */
  shutdown(): Promise<void>
}

/** The OpenTelemetry variables the bot reads (the rest, e.g. headers, the exporter reads). */
export type MetricsEnv = Partial<
  Record<
    | 'OTEL_METRICS_EXPORTER'
    | 'OTEL_EXPORTER_OTLP_ENDPOINT'
    | 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'
    | 'OTEL_METRIC_EXPORT_INTERVAL'
    | 'OTEL_METRIC_EXPORT_TIMEOUT'
    | 'OTEL_SERVICE_NAME',
    string
  >
>

const DEFAULT_SERVICE_NAME = 'xmpp-errors-bot'

/**
 * The exporters the environment asks for, by the OpenTelemetry spec's rules: OTEL_METRICS_EXPORTER
 * lists them (`otlp`, `console`, `none`); an OTLP endpoint alone means `otlp`. Nothing set, no
 * export, and none of the SDK is loaded.
 */
export function metricsExporters(env: MetricsEnv): string[] {
  const listed = (env.OTEL_METRICS_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  if (listed.length > 0) return listed.includes('none') ? [] : listed
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ? ['otlp'] : []
}

function milliseconds(value: string | undefined, fallback: number): number {
  const n = Number(value)
  return value !== undefined && Number.isInteger(n) && n > 0 ? n : fallback
}

/** Starts the export the environment asks for, or returns undefined. */
export async function startMetrics(env: MetricsEnv, log: BotLogger): Promise<Metrics | undefined> {
  const names = metricsExporters(env)
  if (names.length === 0) return undefined
  const [sdk, resources, { otel }] = await Promise.all([
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/resources'),
    import('@xmpp-errors/otel'),
  ])
  const exporters: PushMetricExporter[] = []
  for (const name of names) {
    if (name === 'otlp') {
      // It reads OTEL_EXPORTER_OTLP_{,METRICS_}{ENDPOINT,HEADERS,TIMEOUT} and the temporality
      // preference itself.
      const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http')
      exporters.push(new OTLPMetricExporter())
    } else if (name === 'console') {
      exporters.push(new sdk.ConsoleMetricExporter())
    } else {
      log.warn(
        { event: 'metrics', exporter: name },
        `OTEL_METRICS_EXPORTER: unknown exporter ${name}`,
      )
    }
  }
  if (exporters.length === 0) return undefined
  const readers: MetricReader[] = exporters.map(
    (exporter) =>
      new sdk.PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: milliseconds(env.OTEL_METRIC_EXPORT_INTERVAL, 60_000),
        exportTimeoutMillis: milliseconds(env.OTEL_METRIC_EXPORT_TIMEOUT, 30_000),
      }),
  )
  const resource = resources
    .resourceFromAttributes({ 'service.name': DEFAULT_SERVICE_NAME })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
  const meterProvider = new sdk.MeterProvider({ resource, readers })
  log.info({ event: 'metrics', exporters: names }, `exporting metrics: ${names.join(', ')}`)
  const onError = otel({ meterProvider })
  return {
    onError,
    middleware: onError.middleware,
    async shutdown() {
      try {
        await meterProvider.shutdown()
      } catch (error) {
        log.warn({ err: error }, 'the last metrics export failed')
      }
    },
  }
}

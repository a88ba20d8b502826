import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

// What the demo needs of an OpenTelemetry collector: an OTLP/HTTP endpoint on loopback that
// takes the bot's metrics (JSON, as @opentelemetry/exporter-metrics-otlp-http sends them) and
// reads one counter back.

interface KeyValue {
  key: string
  value?: { stringValue?: string }
}
interface DataPoint {
  attributes?: KeyValue[]
  asInt?: number | string
  asDouble?: number
}
interface Metric {
  name: string
  sum?: { dataPoints?: DataPoint[] }
}
interface ExportRequest {
  resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Metric[] }> }>
}

export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_METRICS_ENDPOINT. */
  endpoint: string
  /**
   * The counter `name`'s latest values summed by the attributes `by` (keys join their values
   * with a space). The exporter's default
   * temporality is cumulative: each export carries the totals so far, so the last one counts.
   */
  totals(name: string, by: string[]): Map<string, number>
  close(): Promise<void>
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const latest = new Map<string, DataPoint[]>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest
        for (const resource of body.resourceMetrics ?? []) {
          for (const scope of resource.scopeMetrics ?? []) {
            for (const metric of scope.metrics ?? []) {
              latest.set(metric.name, metric.sum?.dataPoints ?? [])
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      } catch {
        res.writeHead(400).end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}/v1/metrics`,
    totals(name, by) {
      const totals = new Map<string, number>()
      for (const point of latest.get(name) ?? []) {
        const value = (k: string) =>
          point.attributes?.find((a) => a.key === k)?.value?.stringValue ?? '(none)'
        const key = by.map(value).join(' ')
        totals.set(key, (totals.get(key) ?? 0) + Number(point.asInt ?? point.asDouble ?? 0))
      }
      return totals
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

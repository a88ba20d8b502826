import { describe, expect, it } from 'vitest'
import { metricsExporters, startMetrics } from '../../src/metrics.js'

const silent = { debug() {}, info() {}, warn() {}, error() {} }

describe('metricsExporters', () => {
  it('exports nothing unless an OTEL_ variable asks for it', () => {
    expect(metricsExporters({})).toEqual([])
  })

  it('exports OTLP when an OTLP endpoint is set', () => {
    expect(metricsExporters({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toEqual([
      'otlp',
    ])
    expect(
      metricsExporters({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics' }),
    ).toEqual(['otlp'])
  })

  it('follows OTEL_METRICS_EXPORTER, where none wins', () => {
    expect(metricsExporters({ OTEL_METRICS_EXPORTER: 'console, otlp' })).toEqual([
      'console',
      'otlp',
    ])
    expect(
      metricsExporters({
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      }),
    ).toEqual([])
  })
})

describe('startMetrics', () => {
  it('starts nothing without the variables', async () => {
    expect(await startMetrics({}, silent)).toBeUndefined()
  })

  it('warns about an unknown exporter and starts nothing for it', async () => {
    const warned: string[] = []
    const metrics = await startMetrics(
      { OTEL_METRICS_EXPORTER: 'zipkin' },
      { ...silent, warn: (_o, msg) => warned.push(msg) },
    )
    expect(metrics).toBeUndefined()
    expect(warned).toEqual(['OTEL_METRICS_EXPORTER: unknown exporter zipkin'])
  })
})

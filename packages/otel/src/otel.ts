import {
  type Counter,
  isSpanContextValid,
  type MeterProvider,
  metrics,
  type Span,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api'
import type { CorrelationId, ErrorRecord } from '@xmpp-errors/middleware'
import { eventAttributes, metricAttributes } from './attributes.js'

export const METER_NAME = '@xmpp-errors/otel'
export const COUNTER_NAME = 'xmpp.errors'
export const EVENT_NAME = 'xmpp.error'

export interface OtelOptions {
  /** Where the counter lives. Default: the global MeterProvider, as it is when an error occurs. */
  meterProvider?: MeterProvider
}

/** An `onError` for errors() and guard(), with the `correlationId` that goes with it. */
export interface OtelOnError {
  (record: ErrorRecord): void
  /** The active span's trace id, so that a record and its trace share one id. */
  readonly correlationId: CorrelationId
}

/** The active span, when there is one that is being recorded and has a valid context. */
function activeSpan(): Span | undefined {
  const span = trace.getActiveSpan()
  return span !== undefined && isSpanContextValid(span.spanContext()) ? span : undefined
}

function traceId(): string | undefined {
  return activeSpan()?.spanContext().traceId
}

/**
 * The counter of `provider`, or of the global provider as it is now. The API has no proxy for
 * metrics: a counter made before the SDK registers its provider would count into a no-op for
 * ever, so the global provider is looked up on each error and its counter made once.
 */
function counterSource(provider: MeterProvider | undefined): () => Counter {
  let from: MeterProvider | undefined
  let counter: Counter | undefined
  return () => {
    const current = provider ?? metrics.getMeterProvider()
    if (counter === undefined || current !== from) {
      from = current
      counter = current.getMeter(METER_NAME).createCounter(COUNTER_NAME, {
        description: 'XMPP errors handled or observed by a component',
        unit: '{error}',
      })
    }
    return counter
  }
}

/** Marks the span failed for what the server is to blame for, which the span is then about. */
function annotate(span: Span, record: ErrorRecord): void {
  span.addEvent(EVENT_NAME, eventAttributes(record))
  // An error a peer sent us ('observe') is the peer's failure, not this span's.
  if (record.xmpp.blame !== 'server' || record.action === 'observe') return
  span.setStatus({ code: SpanStatusCode.ERROR, message: record.msg })
  const err = record.err
  span.recordException(err instanceof Error ? err : record.msg)
}

/**
 * Counts each record in `xmpp.errors` and, when a span is active, adds the record to it as an
 * event. Pass it as `onError`, and its `correlationId` as `correlationId`, to errors() and guard().
 */
export function otel(options: OtelOptions = {}): OtelOnError {
  const counter = counterSource(options.meterProvider)
  const onError = (record: ErrorRecord): void => {
    counter().add(1, metricAttributes(record))
    const span = activeSpan()
    if (span !== undefined) annotate(span, record)
  }
  return Object.assign(onError, { correlationId: traceId })
}

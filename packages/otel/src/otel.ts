import { createRequire } from 'node:module'
import {
  type Counter,
  isSpanContextValid,
  type MeterProvider,
  metrics,
  type Span,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api'
import type { Context, CorrelationId, ErrorRecord, Middleware, Next } from '@xmpp-errors/middleware'
import { eventAttributes, metricAttributes, stanzaName } from './attributes.js'

export const METER_NAME = '@xmpp-errors/otel'
/** The meter's version: this package's, as the instrumentation scope asks. */
export const METER_VERSION: string = (
  createRequire(import.meta.url)('../package.json') as { version: string }
).version
/** Errors the component handled: answered, closed its stream with, or dropped unanswered. */
export const HANDLED_ERRORS = 'xmpp.component.handled.errors'
/** Errors peers sent the component (`action: 'observe'`): their failures, not its own. */
export const RECEIVED_ERRORS = 'xmpp.component.received.errors'
/** Stanzas that reached the component's middleware: what an error rate divides by. */
export const HANDLED_STANZAS = 'xmpp.component.handled.stanzas'
export const EVENT_NAME = 'xmpp.error'

export interface OtelOptions {
  /** Where the counter lives. Default: the global MeterProvider, as it is when an error occurs. */
  meterProvider?: MeterProvider
}

/** An `onError` for errors() and guard(), with the `correlationId` and middleware that go with it. */
export interface OtelOnError {
  (record: ErrorRecord): void
  /** The active span's trace id, so that a record and its trace share one id. */
  readonly correlationId: CorrelationId
  /** Counts each stanza in `xmpp.component.handled.stanzas`: `middleware.use()` it before errors(). */
  readonly middleware: Middleware
}

/** The active span, when there is one that is being recorded and has a valid context. */
function activeSpan(): Span | undefined {
  const span = trace.getActiveSpan()
  return span !== undefined && isSpanContextValid(span.spanContext()) ? span : undefined
}

function traceId(): string | undefined {
  return activeSpan()?.spanContext().traceId
}

interface Instruments {
  handled: Counter
  received: Counter
  stanzas: Counter
}

/**
 * The counters of `provider`, or of the global provider as it is now. The API has no proxy for
 * metrics: a counter made before the SDK registers its provider would count into a no-op for
 * ever, so the global provider is looked up on each count and its counters made once.
 */
function instrumentsSource(provider: MeterProvider | undefined): () => Instruments {
  let from: MeterProvider | undefined
  let instruments: Instruments | undefined
  return () => {
    const current = provider ?? metrics.getMeterProvider()
    if (instruments === undefined || current !== from) {
      from = current
      const meter = current.getMeter(METER_NAME, METER_VERSION)
      instruments = {
        handled: meter.createCounter(HANDLED_ERRORS, {
          description:
            'Errors the XMPP component handled: answered, closed its stream with, or dropped',
          unit: '{error}',
        }),
        received: meter.createCounter(RECEIVED_ERRORS, {
          description: 'Errors peers sent the XMPP component',
          unit: '{error}',
        }),
        stanzas: meter.createCounter(HANDLED_STANZAS, {
          description: "Stanzas that reached the XMPP component's middleware",
          unit: '{stanza}',
        }),
      }
    }
    return instruments
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
 * Counts each record, in `xmpp.component.received.errors` when a peer sent it and in
 * `xmpp.component.handled.errors` otherwise, and, when a span is active, adds the record to it
 * as an event. Pass it as `onError`, and its `correlationId` as `correlationId`, to guard() (or
 * errors()); `middleware.use()` its `middleware` to count the stanzas an error rate divides by.
 */
export function otel(options: OtelOptions = {}): OtelOnError {
  const instruments = instrumentsSource(options.meterProvider)
  const onError = (record: ErrorRecord): void => {
    const { handled, received } = instruments()
    const counter = record.action === 'observe' ? received : handled
    counter.add(1, metricAttributes(record))
    const span = activeSpan()
    if (span !== undefined) annotate(span, record)
  }
  const middleware = (ctx: Context, next: Next): Promise<unknown> => {
    const name = stanzaName(ctx.name)
    // Nonzas (the handshake, stream management) are no requests: they stay out of the rate.
    if (name !== 'other') instruments().stanzas.add(1, { 'xmpp.stanza.name': name })
    return next()
  }
  return Object.assign(onError, { correlationId: traceId, middleware })
}

import { EventEmitter } from 'node:events'
import { context, metrics, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import xml from '@xmpp/xml'
import {
  type Context,
  type ErrorRecord,
  errors,
  guard,
  type Middleware,
  StanzaError,
  StreamError,
} from '@xmpp-errors/middleware'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  HANDLED_ERRORS,
  HANDLED_STANZAS,
  METER_NAME,
  METER_VERSION,
  otel,
  RECEIVED_ERRORS,
} from '../src/index.js'

const silent = { debug() {}, warn() {}, error() {} }

/** An in-memory MeterProvider: what the counter holds, read on demand. */
function meters() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // The interval never fires in a test: collect() forces each export.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const provider = new MeterProvider({ readers: [reader] })
  return {
    provider,
    /** The data points of the counter `name` (by default, that of handled errors). */
    async points(name = HANDLED_ERRORS) {
      exporter.reset()
      await reader.forceFlush()
      const scopes = exporter.getMetrics().flatMap((m) => m.scopeMetrics)
      const ours = scopes.filter((s) => s.scope.name === METER_NAME)
      for (const scope of ours) expect(scope.scope.version).toBe(METER_VERSION)
      const counter = ours.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)
      if (!counter) return []
      expect(counter.descriptor.unit).toBe(name === HANDLED_STANZAS ? '{stanza}' : '{error}')
      return counter.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value }))
    },
  }
}

const entity = {
  jid: 'svc.localhost',
  status: 'online',
  send: async () => undefined,
  on: () => entity,
  listenerCount: () => 1,
}

/** Runs `middleware` on `stanza` as xmpp.js would, with `handler` as the rest of the chain. */
function run(middleware: Middleware, stanza: ReturnType<typeof xml>, handler: () => unknown) {
  const ctx: Context = {
    stanza,
    entity,
    name: stanza.name,
    id: String(stanza.attrs.id ?? ''),
    type: String(stanza.attrs.type ?? ''),
    from: null,
    to: null,
  }
  return middleware(ctx, async () => handler())
}

const get = (id: string) =>
  xml('iq', { type: 'get', id, from: `u${id}@localhost/r`, to: 'svc.localhost' })
const notFound = () => {
  throw new StanzaError('item-not-found', { text: 'no such note' })
}
const crash = () => {
  throw new TypeError('cannot read x of undefined')
}

describe('the counters', () => {
  it('count each handled error by error.type, condition, type, blame, action and stanza name, and nothing else', async () => {
    const m = meters()
    const middleware = errors({ logger: silent, onError: otel({ meterProvider: m.provider }) })
    for (const id of ['1', '2', '3']) await run(middleware, get(id), notFound)
    await run(middleware, get('4'), crash)
    // After a stream error nothing more is sent: its promise never settles, so it is not awaited.
    void run(middleware, xml('message', { from: 'u@localhost/r', id: 'm1' }), () => {
      throw new StreamError('policy-violation')
    })
    await new Promise((resolve) => setImmediate(resolve))

    const points = await m.points()
    expect(points).toHaveLength(3)
    expect(points).toContainEqual({
      attributes: {
        'error.type': 'item-not-found',
        'xmpp.error.kind': 'stanza',
        'xmpp.error.condition': 'item-not-found',
        'xmpp.stanza.error.type': 'cancel',
        'xmpp.error.blame': 'sender',
        'xmpp.error.action': 'reply',
        'xmpp.stanza.name': 'iq',
      },
      value: 3,
    })
    expect(points).toContainEqual({
      attributes: {
        'error.type': 'internal-server-error',
        'xmpp.error.kind': 'stanza',
        'xmpp.error.condition': 'internal-server-error',
        'xmpp.stanza.error.type': 'cancel',
        'xmpp.error.blame': 'server',
        'xmpp.error.action': 'reply',
        'xmpp.stanza.name': 'iq',
      },
      value: 1,
    })
    // A stream error has no type: the attribute is absent rather than a placeholder.
    expect(points).toContainEqual({
      attributes: {
        'error.type': 'stream-policy-violation',
        'xmpp.error.kind': 'stream',
        'xmpp.error.condition': 'policy-violation',
        'xmpp.error.action': 'close',
        'xmpp.stanza.name': 'message',
      },
      value: 1,
    })
  })

  it('counts an unknown top-level element as "other", so its name cannot grow the series', async () => {
    const m = meters()
    const onError = otel({ meterProvider: m.provider })
    const middleware = errors({ logger: silent, onError })
    for (const name of ['x1', 'x2', 'x3']) {
      await run(middleware, xml(name, { from: 'u@localhost/r', type: 'normal' }), notFound)
    }
    const points = await m.points()
    expect(points.map((p) => [p.attributes['xmpp.stanza.name'], p.value])).toEqual([['other', 3]])
  })

  it('count the errors peers sent us apart, in xmpp.component.received.errors', async () => {
    const m = meters()
    const middleware = errors({ logger: silent, onError: otel({ meterProvider: m.provider }) })
    const bounce = xml(
      'message',
      { type: 'error', from: 'u@localhost' },
      xml(
        'error',
        { type: 'cancel' },
        xml('gone', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
      ),
    )
    await run(middleware, bounce, () => undefined)
    expect(await m.points()).toEqual([])
    const points = await m.points(RECEIVED_ERRORS)
    expect(points).toEqual([
      {
        attributes: expect.objectContaining({
          'error.type': 'gone',
          'xmpp.error.condition': 'gone',
          'xmpp.error.action': 'observe',
        }),
        value: 1,
      },
    ])
  })

  it('count the stanzas that reach the middleware, so that an error rate can be computed', async () => {
    const m = meters()
    const onError = otel({ meterProvider: m.provider })
    const middleware = errors({ logger: silent, onError })
    const chain = (stanza: ReturnType<typeof xml>, handler: () => unknown) =>
      run((ctx, next) => onError.middleware(ctx, () => middleware(ctx, next)), stanza, handler)
    await chain(get('1'), notFound)
    await chain(get('2'), () => xml('ok'))
    await chain(get('3'), () => xml('ok'))
    await chain(xml('message', { from: 'u@localhost/r', id: 'm1' }), () => undefined)
    await chain(xml('handshake'), () => undefined)
    const stanzas = await m.points(HANDLED_STANZAS)
    expect(stanzas).toEqual(
      expect.arrayContaining([
        { attributes: { 'xmpp.stanza.name': 'iq' }, value: 3 },
        { attributes: { 'xmpp.stanza.name': 'message' }, value: 1 },
      ]),
    )
    expect(stanzas).toHaveLength(2)
    // The iq error rate: handled errors of iqs over handled iqs.
    const errorsOfIq = (await m.points()).filter((p) => p.attributes['xmpp.stanza.name'] === 'iq')
    expect(errorsOfIq.map((p) => p.value)).toEqual([1])
  })

  it('uses the global MeterProvider, even one registered after otel() was called', async () => {
    const onError = otel()
    const middleware = errors({ logger: silent, onError })
    const m = meters()
    metrics.setGlobalMeterProvider(m.provider)
    try {
      await run(middleware, get('5'), notFound)
      expect((await m.points()).map((p) => p.value)).toEqual([1])
    } finally {
      metrics.disable()
    }
  })
})

describe('the active span', () => {
  const exporter = new InMemorySpanExporter()
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }).getTracer('test')
  const contextManager = new AsyncLocalStorageContextManager()

  beforeAll(() => {
    context.setGlobalContextManager(contextManager.enable())
  })
  afterAll(() => {
    context.disable()
  })
  beforeEach(() => exporter.reset())

  /** errors() with otel() as its onError and correlationId, and the records it made. */
  function withOtel() {
    const records: ErrorRecord[] = []
    const onError = otel({ meterProvider: meters().provider })
    const middleware = errors({
      logger: silent,
      onError: (record) => {
        records.push(record)
        onError(record)
      },
      correlationId: onError.correlationId,
    })
    return { middleware, records, onError }
  }

  /** Handles one stanza inside a span, as a tracing middleware placed before errors() would. */
  async function traced(stanza: ReturnType<typeof xml>, handler: () => unknown) {
    const { middleware, records } = withOtel()
    await tracer.startActiveSpan('stanza', async (span) => {
      try {
        await run(middleware, stanza, handler)
      } finally {
        span.end()
      }
    })
    const [span] = exporter.getFinishedSpans()
    if (!span) throw new Error('no span was exported')
    return { span, records }
  }

  it("gets an event with the record's fields; a sender-blame error leaves its status alone", async () => {
    const { span, records } = await traced(get('7'), notFound)
    const [record] = records
    expect(record?.correlationId).toBe(span.spanContext().traceId)
    expect(span.status.code).toBe(SpanStatusCode.UNSET)
    expect(span.events.map((e) => e.name)).toEqual(['xmpp.error'])
    expect(span.events[0]?.attributes).toEqual({
      'error.type': 'item-not-found',
      'xmpp.error.kind': 'stanza',
      'xmpp.error.condition': 'item-not-found',
      'xmpp.stanza.error.type': 'cancel',
      'xmpp.error.blame': 'sender',
      'xmpp.error.action': 'reply',
      'xmpp.error.exposed': true,
      'xmpp.error.text': 'no such note',
      'xmpp.error.correlation_id': span.spanContext().traceId,
      'xmpp.stanza.name': 'iq',
      'xmpp.stanza.type': 'get',
      'xmpp.stanza.id': '7',
      'xmpp.stanza.from': 'u7@localhost/r',
      'xmpp.stanza.to': 'svc.localhost',
    })
  })

  it('is set to ERROR, with the exception, for a server-blame error', async () => {
    const { span, records } = await traced(get('8'), crash)
    expect(records[0]?.correlationId).toBe(span.spanContext().traceId)
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: expect.stringContaining('internal-server-error'),
    })
    expect(span.events.map((e) => e.name)).toEqual(['xmpp.error', 'exception'])
    const exception = span.events[1]?.attributes ?? {}
    expect(exception['exception.type']).toBe('TypeError')
    expect(exception['exception.message']).toBe('cannot read x of undefined')
  })

  it('is not failed by an error a peer sent us', async () => {
    const bounce = xml(
      'iq',
      { type: 'error', id: 'b1', from: 'u@localhost/r' },
      xml(
        'error',
        { type: 'wait' },
        xml('internal-server-error', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
      ),
    )
    const { span, records } = await traced(bounce, () => undefined)
    expect(records.map((r) => r.action)).toEqual(['observe'])
    expect(span.status.code).toBe(SpanStatusCode.UNSET)
    expect(span.events.map((e) => e.name)).toEqual(['xmpp.error'])
  })

  it("gets guard()'s records too, with the trace id as their correlation id", async () => {
    const records: ErrorRecord[] = []
    const onError = otel({ meterProvider: meters().provider })
    const sent: unknown[] = []
    const component = Object.assign(new EventEmitter(), {
      ...entity,
      send: async (element: unknown) => {
        sent.push(element)
      },
    })
    guard(component, {
      logger: silent,
      onError: (record) => {
        records.push(record)
        onError(record)
      },
      correlationId: onError.correlationId,
    })
    await tracer.startActiveSpan('element', async (span) => {
      // A malformed 'to': guard() answers jid-malformed before any middleware runs.
      component.emit(
        'element',
        xml('iq', { type: 'get', id: 'g1', from: 'u@localhost/r', to: 'a@' }),
      )
      span.end()
    })
    const [span] = exporter.getFinishedSpans()
    expect(sent).toHaveLength(1)
    expect(records.map((r) => r.xmpp.condition)).toEqual(['jid-malformed'])
    expect(records[0]?.correlationId).toBe(span?.spanContext().traceId)
    expect(span?.events.map((e) => e.name)).toEqual(['xmpp.error'])
  })

  it('is absent outside a span: the record keeps a generated correlation id', async () => {
    const { middleware, records, onError } = withOtel()
    expect(trace.getActiveSpan()).toBeUndefined()
    expect(onError.correlationId()).toBeUndefined()
    await run(middleware, get('9'), notFound)
    expect(records[0]?.correlationId).toMatch(/^[a-z0-9]+-[a-z0-9]+$/)
  })
})

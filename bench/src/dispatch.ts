import { type Logger, StanzaError } from '@xmpp-errors/middleware'
import { pino } from 'pino'
import { compare, type Throughputs, type Variant } from './compare.js'
import { chain, pump, type Route, repliesTo, request } from './inprocess.js'

export interface DispatchOptions {
  rounds: number
  warmup: number
  /** Stanzas per variant per round. */
  perRound: number
  /** Stanzas dispatched and not yet answered at any time. */
  inFlight: number
}

interface ChainVariant {
  label: string
  errors: boolean | 'minimal' | 'limit'
  /** Default: the no-op logger. */
  logger?: Logger
  guard?: boolean
  /** Pass-throughs on top of the depth: one stands in for errors() to price a middleware slot. */
  extra?: number
  route: Route
  /** Error.stackTraceLimit while this variant runs (default: left as is, 10). */
  stackTraceLimit?: number
}

function variant(spec: ChainVariant, depth: number, inFlight: number): Variant {
  const entity = chain({
    errors: spec.errors,
    depth: depth + (spec.extra ?? 0),
    route: spec.route,
    ...(spec.guard ? { guard: true } : {}),
    ...(spec.logger ? { logger: spec.logger } : {}),
  })
  const limit = spec.stackTraceLimit
  let saved = Error.stackTraceLimit
  return {
    label: spec.label,
    run: (n) => pump(entity, n, inFlight),
    ...(limit === undefined
      ? {}
      : {
          before() {
            saved = Error.stackTraceLimit
            Error.stackTraceLimit = limit
          },
          after() {
            Error.stackTraceLimit = saved
          },
        }),
  }
}

/**
 * P1: a result built by the route, with errors() installed and without; with one more
 * pass-through in errors()'s place, which is what any middleware costs in xmpp.js's chain; and
 * (with `guard`) with guard() applied as well as errors().
 */
export function happyPath(
  depth: number,
  options: DispatchOptions & { guard?: boolean },
): Promise<Throughputs> {
  const specs: ChainVariant[] = [
    { label: 'without', errors: false, route: 'result' },
    { label: 'with', errors: true, route: 'result' },
    { label: 'pass-through', errors: false, extra: 1, route: 'result' },
  ]
  if (options.guard) specs.push({ label: 'guard', errors: true, guard: true, route: 'result' })
  return compare(
    specs.map((spec) => variant(spec, depth, options.inFlight)),
    options,
  )
}

/**
 * P2: `throw new StanzaError('item-not-found')` through errors(), against returning the same
 * `<error/>` built by hand without errors(); the throw again with `{ stack: true }`, which
 * shows what capturing the stack costs; one StanzaError built once and thrown for every
 * request; a different one each time, built ahead, which parts the cost of making an error from
 * that of throwing a new object; and the floor of any throw-based design: a plain Error,
 * without a stack, caught by the least a catcher can do.
 */
export async function errorPath(depth: number, options: DispatchOptions): Promise<Throughputs> {
  await assertSameReplies(depth)
  return compare(
    [
      variant({ label: 'hand-built', errors: false, route: 'hand-built' }, depth, options.inFlight),
      variant({ label: 'throw', errors: true, route: 'throw' }, depth, options.inFlight),
      variant({ label: 'throw once', errors: true, route: 'throw once' }, depth, options.inFlight),
      variant(
        { label: 'throw pre-built', errors: true, route: 'throw pre-built' },
        depth,
        options.inFlight,
      ),
      variant(
        { label: 'throw with stack', errors: true, route: 'throw with stack' },
        depth,
        options.inFlight,
      ),
      variant(
        { label: 'floor', errors: 'minimal', route: 'throw Error', stackTraceLimit: 0 },
        depth,
        options.inFlight,
      ),
    ],
    options,
  )
}

/** How P2's real logger writes: pino to /dev/null, synchronously or through its async buffer. */
export type PinoMode = 'sync' | 'async'
export const PINO_MODES: readonly PinoMode[] = ['sync', 'async']

/** A real pino, at its default level (info), writing to /dev/null. */
export function pinoToDevNull(mode: PinoMode): Logger {
  return pino({}, pino.destination({ dest: '/dev/null', sync: mode === 'sync' }))
}

/**
 * P2 with a real logger, each side with a pino of its own: errors() throwing; what a user
 * writes without it (a try/catch in the route, the `<error/>` by hand, one 4-field warn line);
 * and the floor writing one flat line with the record's information.
 */
export async function loggedErrorPath(
  depth: number,
  mode: PinoMode,
  options: DispatchOptions,
): Promise<Throughputs> {
  await assertSameReplies(depth)
  const specs: ChainVariant[] = [
    { label: 'throw', errors: true, route: 'throw' },
    // The user's lookup throws a plain Error with its stack, as a data layer's errors have.
    { label: 'user catch', errors: false, route: 'user catch' },
    { label: 'floor + line', errors: 'limit', route: 'throw Error', stackTraceLimit: 0 },
  ]
  return compare(
    specs.map((spec) => variant({ ...spec, logger: pinoToDevNull(mode) }, depth, options.inFlight)),
    options,
  )
}

/** The comparison is only fair if every side puts the same bytes on the wire. */
async function assertSameReplies(depth: number): Promise<void> {
  const wire = async (errors: boolean | 'minimal' | 'limit', route: Route) => {
    const stanzas = [request(), request()]
    const sent = await repliesTo(chain({ errors, depth, route }), stanzas)
    return sent.map((s, i) => s.replace(`id="${stanzas[i]?.attrs.id}"`, 'id="*"')).join('\n')
  }
  const built = await wire(false, 'hand-built')
  for (const [errors, route] of [
    [true, 'throw'],
    [true, 'throw once'],
    [true, 'throw pre-built'],
    [true, 'throw with stack'],
    ['minimal', 'throw Error'],
    ['limit', 'throw Error'],
    [false, 'user catch'],
  ] as const) {
    const other = await wire(errors, route)
    if (other !== built || !built.includes('item-not-found')) {
      throw new Error(`P2 variants answer differently:\n${built}\n${other}`)
    }
  }
}

/** Nanoseconds per construction, by label: StanzaError and Error, with and without a stack. */
export function constructionCost(n: number, rounds: number): Record<string, number[]> {
  const kinds: Array<[string, () => unknown, number]> = [
    ["new StanzaError('item-not-found'), no stack", () => new StanzaError('item-not-found'), 10],
    [
      "new StanzaError('item-not-found', { stack: true })",
      () => new StanzaError('item-not-found', { stack: true }),
      10,
    ],
    ["new Error('item-not-found')", () => new Error('item-not-found'), 10],
    ["new Error('item-not-found'), stackTraceLimit 0", () => new Error('item-not-found'), 0],
  ]
  const out: Record<string, number[]> = {}
  const sink: unknown[] = new Array(1024)
  const saved = Error.stackTraceLimit
  try {
    for (let round = -1; round < rounds; round++) {
      for (const [label, make, limit] of kinds) {
        Error.stackTraceLimit = limit
        const start = process.hrtime.bigint()
        for (let i = 0; i < n; i++) sink[i & 1023] = make()
        const ns = Number(process.hrtime.bigint() - start) / n
        if (round < 0) continue
        const values = out[label] ?? []
        values.push(ns)
        out[label] = values
      }
    }
  } finally {
    Error.stackTraceLimit = saved
  }
  if (sink.length !== 1024) throw new Error('unreachable')
  return out
}

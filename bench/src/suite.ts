import type { ServerInfo, XmppUser } from '@xmpp-errors/throwaway-servers'
import type { Throughputs } from './compare.js'
import {
  constructionCost,
  type DispatchOptions,
  errorPath,
  happyPath,
  loggedErrorPath,
  PINO_MODES,
  type PinoMode,
} from './dispatch.js'
import { type EndToEndOptions, endToEnd } from './e2e.js'
import {
  defaultLogger,
  defaultLoggerChild,
  type LoggerOptions,
  type MemoryOptions,
  memory,
  STDERR_TARGETS,
} from './memory.js'
import { lineBytes, shapes } from './record-shapes.js'
import { SCALING_POINTS, scalingPoint } from './scaling.js'
import { ratios, type Summary, summarize } from './stats.js'

export type Part = 'P1' | 'P2' | 'P3' | 'P4'
export const PARTS: readonly Part[] = ['P1', 'P2', 'P3', 'P4']

export interface SuiteConfig {
  mode: string
  depths: readonly number[]
  p1: DispatchOptions
  p2: DispatchOptions
  construction: { n: number; rounds: number }
  scaling: DispatchOptions
  p3: Omit<EndToEndOptions, 'domains' | 'user'>
  p4: MemoryOptions
  logger: LoggerOptions
  /** Errors per child process in the default-logger figures (one child per stderr target). */
  stderrErrors: number
}

export const QUICK: SuiteConfig = {
  mode: 'quick',
  depths: [1, 5, 20],
  p1: { rounds: 9, warmup: 1, perRound: 5_000, inFlight: 64 },
  p2: { rounds: 9, warmup: 1, perRound: 5_000, inFlight: 64 },
  construction: { n: 50_000, rounds: 5 },
  scaling: { rounds: 7, warmup: 1, perRound: 5_000, inFlight: 64 },
  p3: { rounds: 7, warmup: 1, perRound: 1_500, inFlight: 50 },
  p4: { total: 250_000, batch: 10_000, inFlight: 64, samples: 3 },
  logger: { rounds: 3, warmup: 1, perRound: 5_000, inFlight: 64 },
  stderrErrors: 10_000,
}

export const FULL: SuiteConfig = {
  mode: 'full',
  depths: [1, 5, 20],
  p1: { rounds: 31, warmup: 2, perRound: 10_000, inFlight: 64 },
  p2: { rounds: 21, warmup: 2, perRound: 10_000, inFlight: 64 },
  construction: { n: 200_000, rounds: 9 },
  scaling: { rounds: 15, warmup: 2, perRound: 10_000, inFlight: 64 },
  p3: { rounds: 15, warmup: 1, perRound: 5_000, inFlight: 50 },
  p4: { total: 1_000_000, batch: 10_000, inFlight: 64, samples: 9 },
  logger: { rounds: 7, warmup: 1, perRound: 10_000, inFlight: 64 },
  stderrErrors: 10_000,
}

/** Code paths of the quick mode with counts so small that only their running is tested. */
export const SMOKE: SuiteConfig = {
  mode: 'smoke',
  depths: [1, 5, 20],
  p1: { rounds: 2, warmup: 0, perRound: 200, inFlight: 16 },
  p2: { rounds: 2, warmup: 0, perRound: 200, inFlight: 16 },
  construction: { n: 1_000, rounds: 2 },
  scaling: { rounds: 2, warmup: 0, perRound: 200, inFlight: 16 },
  p3: { rounds: 2, warmup: 0, perRound: 100, inFlight: 50 },
  p4: { total: 5_000, batch: 1_000, inFlight: 64, samples: 1 },
  logger: { rounds: 2, warmup: 0, perRound: 200, inFlight: 16 },
  stderrErrors: 500,
}

export type Unit = 'ratio' | 'ops/s' | 'MB' | 'count' | 'ns' | 'µs' | '%' | 'B' | 'GB'

export interface Target {
  op: '>=' | '<' | '='
  value: number
}

export interface Figure {
  part: Part | 'info'
  /** A point of the scaling table: the axis it varies and the value there. */
  scaling?: { axis: string; value: number }
  name: string
  unit: Unit
  /** The median, for figures taken over rounds. */
  value: number
  spread?: Summary
  target?: Target
  note?: string
}

export function passes(figure: Figure): boolean | undefined {
  const { target, value } = figure
  if (!target) return undefined
  if (target.op === '>=') return value >= target.value
  if (target.op === '<') return value < target.value
  return value === target.value
}

export interface P3Setup {
  server: ServerInfo
  /** The first answers via errors() + throw, the second with a hand-built <error/>. */
  domains: readonly [string, string]
  user: XmppUser
}

export interface SuiteResult {
  figures: Figure[]
  /** Every throughput of every round, by figure group, for whoever wants the raw data. */
  raw: Record<string, Throughputs | Record<string, number[]> | object>
}

function median(values: readonly number[] | undefined): number {
  return summarize(values ?? []).median
}

function ratioFigure(
  part: Part | 'info',
  name: string,
  t: Throughputs,
  a: string,
  b: string,
  target?: Target,
): Figure {
  const r = summarize(ratios(t[a] ?? [], t[b] ?? []))
  return {
    part,
    name,
    unit: 'ratio',
    value: r.median,
    spread: r,
    ...(target ? { target } : {}),
    note: `${a} ${rate(median(t[a]))}, ${b} ${rate(median(t[b]))}`,
  }
}

export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return String(perSecond)
  return perSecond >= 10_000 ? `${(perSecond / 1000).toFixed(0)}k/s` : `${perSecond.toFixed(0)}/s`
}

/** Per-round microseconds per operation that variant `a` spends beyond variant `b`. */
function extraMicros(t: Throughputs, a: string, b: string): number[] {
  const ta = t[a] ?? []
  const tb = t[b] ?? []
  return ta.map((x, i) => (1 / x - 1 / (tb[i] ?? Number.NaN)) * 1e6)
}

export async function runSuite(
  config: SuiteConfig,
  options: {
    parts?: readonly Part[]
    /** The depths of P1 and P2 to run (default: the config's). */
    depths?: readonly number[]
    /** Run P2's construction micro-benchmark (default: when P2 runs). */
    construction?: boolean
    /**
     * Run the scaling table (default: when P2 runs), or only the points at these indexes of
     * SCALING_POINTS.
     */
    scaling?: boolean | readonly number[]
    /** P2's loggers: the no-op one, pino sync, pino async (default: all). */
    loggers?: ReadonlyArray<'no-op' | PinoMode>
    p3?: () => Promise<P3Setup & { release(): Promise<void> }>
    log?: (line: string) => void
  } = {},
): Promise<SuiteResult> {
  const parts = new Set(options.parts ?? PARTS)
  const depths = options.depths ?? config.depths
  const say = options.log ?? (() => {})
  const started = process.hrtime.bigint()
  const log = (line: string) => {
    const at = Number(process.hrtime.bigint() - started) / 1e9
    say(`${at.toFixed(1).padStart(6)} s  ${line}`)
  }
  const figures: Figure[] = []
  const raw: SuiteResult['raw'] = {}

  if (parts.has('P1')) {
    for (const depth of depths) {
      log(`P1 happy path, depth ${depth}`)
      // guard() once, at the first depth: it costs per element, not per middleware.
      const guard = depth === config.depths[0]
      const t = await happyPath(depth, { ...config.p1, guard })
      raw[`P1 depth ${depth}`] = t
      figures.push(
        ratioFigure(
          'P1',
          `P1 happy path, depth ${depth}: errors() / a bare pass-through in its place`,
          t,
          'with',
          'pass-through',
          { op: '>=', value: 0.97 },
        ),
        ratioFigure(
          'info',
          `P1 happy path, depth ${depth}: with / without errors()`,
          t,
          'with',
          'without',
        ),
        ratioFigure(
          'info',
          `P1 depth ${depth}: one more pass-through instead of errors() / without`,
          t,
          'pass-through',
          'without',
        ),
      )
      if (guard) {
        figures.push(
          ratioFigure(
            'info',
            `P1 depth ${depth}: guard() + errors() / without`,
            t,
            'guard',
            'without',
          ),
        )
      }
    }
  }

  const p2Loggers = new Set(options.loggers ?? ['no-op', ...PINO_MODES])
  for (const mode of PINO_MODES) {
    if (!parts.has('P2') || !p2Loggers.has(mode)) continue
    for (const depth of depths) {
      log(`P2 error path with pino ${mode}, depth ${depth}`)
      const t = await loggedErrorPath(depth, mode, config.p2)
      raw[`P2 pino ${mode} depth ${depth}`] = t
      figures.push(
        ratioFigure(
          'P2',
          `P2-user, pino ${mode}, depth ${depth}: errors() throw / hand-written catch + warn line`,
          t,
          'throw',
          'user catch',
          { op: '>=', value: 1 },
        ),
        ratioFigure(
          'P2',
          `P2-limit, pino ${mode}, depth ${depth}: errors() throw / floor + the record as a flat line`,
          t,
          'throw',
          'floor + line',
          { op: '>=', value: 0.97 },
        ),
      )
    }
  }

  if (parts.has('P2') && p2Loggers.has('no-op')) {
    for (const depth of depths) {
      log(`P2 error path, depth ${depth}`)
      const t = await errorPath(depth, config.p2)
      raw[`P2 depth ${depth}`] = t
      figures.push(
        ratioFigure(
          'info',
          `P2 no-op logger, depth ${depth}: errors() throw / floor`,
          t,
          'throw',
          'floor',
        ),
        ratioFigure(
          'info',
          `P2 depth ${depth}: one StanzaError built once, thrown every time / floor`,
          t,
          'throw once',
          'floor',
        ),
        ratioFigure(
          'info',
          `P2 depth ${depth}: a different StanzaError each time, built ahead / floor`,
          t,
          'throw pre-built',
          'floor',
        ),
        ratioFigure(
          'info',
          `P2 error path, depth ${depth}: throw / hand-built`,
          t,
          'throw',
          'hand-built',
        ),
        ratioFigure(
          'info',
          `P2 depth ${depth}: throw with { stack: true } / hand-built`,
          t,
          'throw with stack',
          'hand-built',
        ),
        ratioFigure(
          'info',
          `P2 depth ${depth}: floor, plain Error without stack + minimal catcher / hand-built`,
          t,
          'floor',
          'hand-built',
        ),
      )
      const extra = summarize(extraMicros(t, 'throw', 'hand-built'))
      const stack = summarize(extraMicros(t, 'throw with stack', 'throw'))
      figures.push(
        {
          part: 'info',
          name: `P2 depth ${depth}: extra time per error, throw vs hand-built`,
          unit: 'µs',
          value: extra.median,
          spread: extra,
        },
        {
          part: 'info',
          name: `P2 depth ${depth}: what { stack: true } adds per error`,
          unit: 'µs',
          value: stack.median,
          spread: stack,
        },
      )
    }
  }
  if (parts.has('P2') && (options.construction ?? true)) {
    log('P2 construction cost')
    const c = constructionCost(config.construction.n, config.construction.rounds)
    raw['P2 construction ns'] = c
    for (const [label, values] of Object.entries(c)) {
      const s = summarize(values)
      figures.push({
        part: 'info',
        name: `${label}, ns each`,
        unit: 'ns',
        value: s.median,
        spread: s,
      })
    }
    // Sizes, not speeds: the common record's line as pino writes it, before it was made flat.
    const record = await shapes()
    for (const [label, shape] of [
      ['before: xmpp and stanza nested', record.before],
      ['after: flat', record.after],
    ] as const) {
      figures.push({
        part: 'info',
        name: `The record (item-not-found on an iq get, with text) as pino writes it, ${label}`,
        unit: 'B',
        value: shape ? lineBytes(shape) : Number.NaN,
      })
    }
  }

  const scaling = options.scaling ?? true
  if (parts.has('P2') && scaling !== false) {
    const points =
      scaling === true ? SCALING_POINTS : SCALING_POINTS.filter((_, i) => scaling.includes(i))
    for (const point of points) {
      log(`P2 scaling, ${point.axis} ${point.value}`)
      const t = await scalingPoint(point, config.scaling)
      raw[`P2 scaling ${point.axis} ${point.value}`] = t
      const extra = summarize(extraMicros(t, 'throw', 'hand-built'))
      figures.push({
        part: 'info',
        name: `Scaling, ${point.axis} ${point.value.toLocaleString('en')}: errors()'s extra time per error over the hand-built reply`,
        unit: 'µs',
        value: extra.median,
        spread: extra,
        scaling: { axis: point.axis, value: point.value },
        note: `throw ${rate(median(t.throw))}, hand-built ${rate(median(t['hand-built']))}`,
      })
    }
  }

  if (parts.has('P3') && options.p3) {
    log('P3 end to end through Prosody')
    const setup = await options.p3()
    try {
      const { throughput: t, cpuMicros } = await endToEnd(setup.server, {
        ...config.p3,
        domains: setup.domains,
        user: setup.user,
      })
      raw.P3 = t
      raw['P3 component CPU µs per round trip'] = cpuMicros
      const withErrors = summarize(cpuMicros.throw)
      const without = summarize(cpuMicros['hand-built'])
      // Per round: the part of the component's CPU per error round trip that errors() adds.
      const share = summarize(
        cpuMicros.throw.map((w, i) => (1 - (cpuMicros['hand-built'][i] ?? Number.NaN) / w) * 100),
      )
      figures.push(
        ratioFigure(
          'P3',
          `P3 end to end, ${config.p3.inFlight} in flight: throw / hand-built round trips`,
          t,
          'throw',
          'hand-built',
          { op: '>=', value: 0.95 },
        ),
        {
          part: 'info',
          name: 'P3 component CPU per round trip, errors() + throw',
          unit: 'µs',
          value: withErrors.median,
          spread: withErrors,
        },
        {
          part: 'info',
          name: 'P3 component CPU per round trip, hand-built reply without errors()',
          unit: 'µs',
          value: without.median,
          spread: without,
        },
        {
          part: 'info',
          name: "P3 errors()' share of the component's CPU per error round trip",
          unit: '%',
          value: share.median,
          spread: share,
        },
      )
    } finally {
      await setup.release()
    }
  }

  if (parts.has('P4')) {
    log(`P4 memory, ${config.p4.total} errors`)
    const m = await memory(config.p4)
    raw.P4 = m
    const grown = (before: Record<string, number>, after: Record<string, number>) => {
      const keys = new Set([...Object.keys(before), ...Object.keys(after)])
      let total = 0
      const which: string[] = []
      for (const k of keys) {
        const d = (after[k] ?? 0) - (before[k] ?? 0)
        if (d !== 0) which.push(`${k} ${d > 0 ? '+' : ''}${d}`)
        total += Math.max(0, d)
      }
      return { total, which }
    }
    const listeners = grown(m.listenersBefore, m.listenersAfter)
    const resources = grown(m.resourcesBefore, m.resourcesAfter)
    const mb = (bytes: number) => bytes / 2 ** 20
    const samples = m.heap.map((b) => mb(b).toFixed(1)).join(' → ')
    figures.push(
      {
        part: 'P4',
        name: `P4 heap growth after GC, ${m.handled.toLocaleString('en')} errors handled`,
        unit: 'MB',
        value: mb(m.heapGrowth),
        target: { op: '<', value: 5 },
        note: `${m.gc ? '' : 'NO --expose-gc: '}heapUsed MB ${samples}; ${rate(m.handled / m.seconds)}`,
      },
      {
        part: 'P4',
        name: 'P4 listener growth (all events of the entity)',
        unit: 'count',
        value: listeners.total,
        target: { op: '=', value: 0 },
        note:
          listeners.which.join(', ') ||
          Object.entries(m.listenersAfter)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
      },
      {
        part: 'P4',
        name: 'P4 active resource growth (timers, handles)',
        unit: 'count',
        value: resources.total,
        target: { op: '=', value: 0 },
        note:
          resources.which.join(', ') ||
          Object.entries(m.resourcesAfter)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ') ||
          'none active',
      },
    )

    log('P4 default (stderr) logger, to /dev/null')
    const l = await defaultLogger(config.logger)
    raw['P4 default logger'] = l
    figures.push(
      ratioFigure(
        'info',
        'Default stderr logger (to /dev/null) / no-op logger, error path',
        l.throughput,
        'default logger',
        'no-op logger',
      ),
      {
        part: 'info',
        name: 'Default stderr logger: bytes per item-not-found error',
        unit: 'B',
        value: l.bytesPerError,
        note: `${((l.bytesPerError * 1e6) / 1e9).toFixed(2)} GB for 1M errors`,
      },
    )
    for (const target of STDERR_TARGETS) {
      log(`P4 default logger in a child process, stderr to ${target}`)
      const c = await defaultLoggerChild(config.stderrErrors, target)
      raw[`P4 default logger, stderr to ${target}`] = c
      figures.push({
        part: 'info',
        name: `Default stderr logger, stderr to ${target}: heap + external growth after GC, ${c.handled.toLocaleString('en')} errors`,
        unit: 'MB',
        value: c.memoryGrowth / 2 ** 20,
        note: `at most ${(c.maxBuffered / 2 ** 20).toFixed(2)} MB waiting in stderr's buffer`,
      })
    }
    raw['P4 default logger sample line'] = { line: l.sample }
  }

  log('done')
  return { figures, raw }
}

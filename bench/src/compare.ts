import { collectGarbage } from './inprocess.js'

/** One side of a comparison: `run` does `n` operations and resolves when they are done. */
export interface Variant {
  label: string
  /** Timed. */
  run(n: number): Promise<void>
  /** Untimed, around `run`: e.g. set Error.stackTraceLimit and restore it. */
  before?(): void
  after?(): void
}

export interface CompareOptions {
  /**
   * Timed rounds; each round runs every variant once, the order rotated by one each round
   * (A B C, B C A, C A B, …).
   */
  rounds: number
  /** Untimed rounds first, so that every variant is optimised before measuring. */
  warmup: number
  /** Operations per variant per round. */
  perRound: number
  /**
   * Collect garbage before each timed run (default false: a forced full GC resizes the heap
   * and leaves concurrent sweeping to land in the timed run).
   */
  gc?: boolean
  /**
   * 'cpu' (default): user + system CPU time of this process, which other processes on a busy
   * machine do not inflate; right for work done in this process alone. 'wall': elapsed time,
   * for work shared with other processes (a server).
   */
  clock?: 'cpu' | 'wall'
}

/** Throughput (operations per second) of each variant in each timed round, by label. */
export type Throughputs = Record<string, number[]>

/**
 * Runs the variants alternately, round after round, so that drift (CPU frequency, a busy
 * neighbour, the heap growing) hits all of them alike; ratios are taken within a round. The
 * order rotates, so that no variant always runs after the same one: one that leaves garbage
 * (a stack trace per error, say) would otherwise always bill its collections to the next.
 */
export async function compare(
  variants: readonly Variant[],
  options: CompareOptions,
): Promise<Throughputs> {
  const out: Throughputs = {}
  for (const v of variants) out[v.label] = []
  for (let round = 0; round < options.warmup + options.rounds; round++) {
    const shift = round % variants.length
    for (const v of [...variants.slice(shift), ...variants.slice(0, shift)]) {
      if (options.gc) collectGarbage()
      v.before?.()
      let seconds: number
      try {
        const wall = process.hrtime.bigint()
        const cpu = process.cpuUsage()
        await v.run(options.perRound)
        if (options.clock === 'wall') {
          seconds = Number(process.hrtime.bigint() - wall) / 1e9
        } else {
          const used = process.cpuUsage(cpu)
          seconds = (used.user + used.system) / 1e6
        }
      } finally {
        v.after?.()
      }
      if (round >= options.warmup) out[v.label]?.push(options.perRound / seconds)
    }
  }
  return out
}

import { rm } from 'node:fs/promises'
import { serverInfo, startProsody } from '@xmpp-errors/throwaway-servers'
import { describe, expect, it } from 'vitest'
import { SCALING_POINTS } from '../src/scaling.js'
import { isFinitePositive } from '../src/stats.js'
import { type Figure, runSuite, SMOKE } from '../src/suite.js'
import { scalingTable, table } from '../src/table.js'

// Runs every code path of `pnpm bench --quick` with tiny counts. It asserts that they run and
// produce numbers, never how fast: timings belong to the benchmark, not to CI.

function throughputsOf(raw: Record<string, unknown>): number[] {
  const out: number[] = []
  for (const value of Object.values(raw)) {
    if (typeof value !== 'object' || value === null) continue
    for (const series of Object.values(value)) {
      if (Array.isArray(series))
        out.push(...series.filter((x): x is number => typeof x === 'number'))
    }
  }
  return out
}

describe('bench smoke', () => {
  it('runs P1–P4 and yields finite figures', { timeout: 120_000 }, async () => {
    // A private server: P3 needs two component domains of its own, and alternates them hard.
    let stopped = false
    const { figures, raw } = await runSuite(SMOKE, {
      p3: async () => {
        const server = await startProsody({ components: 2, users: 1 })
        const [a, b] = server.components
        const [user] = server.users
        if (!a || !b || !user) throw new Error('no components or user')
        return {
          server: serverInfo(server),
          domains: [a, b],
          user,
          async release() {
            await server.stop()
            await rm(server.dir, { recursive: true, force: true })
            stopped = true
          },
        }
      },
    })
    expect(stopped).toBe(true)

    const names = figures.map((f) => f.name)
    for (const depth of SMOKE.depths) {
      expect(names).toContain(`P1 happy path, depth ${depth}: with / without errors()`)
      expect(names).toContain(`P2 error path, depth ${depth}: throw / hand-built`)
    }
    for (const depth of SMOKE.depths) {
      for (const mode of ['sync', 'async']) {
        expect(
          names.filter((n) => n.startsWith(`P2-user, pino ${mode}, depth ${depth}:`)),
        ).toHaveLength(1)
        expect(
          names.filter((n) => n.startsWith(`P2-limit, pino ${mode}, depth ${depth}:`)),
        ).toHaveLength(1)
      }
    }
    // The common record's line, nested as it was and flat as it is: the flat one is shorter.
    const [nested, flat] = figures.filter((f) => f.name.startsWith('The record '))
    expect(flat?.value).toBeLessThan(nested?.value ?? 0)
    expect(names.filter((n) => n.startsWith('P3 '))).toHaveLength(4)
    expect(names.filter((n) => n.startsWith('P4 '))).toHaveLength(3)
    // P1 at each depth; P2-user and P2-limit at each depth, with pino sync and async; P3; P4.
    expect(figures.filter((f) => f.target)).toHaveLength(SMOKE.depths.length * 5 + 1 + 3)
    expect(figures.filter((f) => f.scaling)).toHaveLength(SCALING_POINTS.length)
    expect(scalingTable(figures).split('\n')).toHaveLength(SCALING_POINTS.length + 2)

    const positive = (f: Figure) => f.unit === 'ratio' || f.unit === 'ns' || f.unit === 'B'
    for (const f of figures) {
      expect(Number.isFinite(f.value), f.name).toBe(true)
      if (positive(f)) expect(isFinitePositive(f.value), f.name).toBe(true)
    }
    const throughputs = throughputsOf(raw)
    expect(throughputs.length).toBeGreaterThan(0)
    for (const t of throughputs) expect(isFinitePositive(t)).toBe(true)

    const p4 = raw.P4 as { handled: number }
    expect(p4.handled).toBe(SMOKE.p4.total)
    for (const target of ['/dev/null', 'pipe, read', 'pipe, not read']) {
      const child = raw[`P4 default logger, stderr to ${target}`] as { handled: number }
      expect(child.handled, target).toBe(SMOKE.stderrErrors)
    }

    const printed = table(figures)
    expect(printed.split('\n')).toHaveLength(figures.length + 2)
    expect(printed).toMatch(/PASS|FAIL/)
  })
})

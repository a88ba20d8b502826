import { describe, expect, it } from 'vitest'
import { cruiseRepository } from './cruise.js'

describe('the packages', () => {
  it('have no import cycle, type-only imports included', async () => {
    const output = await cruiseRepository(
      [
        'packages/conditions/src',
        'packages/errors/src',
        'packages/middleware/src',
        'packages/otel/src',
        'packages/xep/src',
      ],
      {
        tsPreCompilationDeps: true,
        validate: true,
        ruleSet: {
          forbidden: [{ name: 'no-cycle', severity: 'error', from: {}, to: { circular: true } }],
        },
        exclude: { path: 'node_modules' },
      },
    )
    const cycles = output.summary.violations.map(
      (v) => `${v.from} → ${(v.cycle ?? []).map((step) => step.name).join(' → ')}`,
    )
    expect(output.summary.totalCruised).toBeGreaterThan(40)
    expect(cycles).toEqual([])
  })
})

import { fileURLToPath } from 'node:url'
import { cruise, type IReporterOutput } from 'dependency-cruiser'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('the packages', () => {
  it('have no import cycle, type-only imports included', async () => {
    const cwd = process.cwd()
    process.chdir(root)
    let result: IReporterOutput
    try {
      result = await cruise(
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
    } finally {
      process.chdir(cwd)
    }
    const output = result.output
    if (typeof output === 'string') throw new Error(output)
    const cycles = output.summary.violations.map(
      (v) => `${v.from} → ${(v.cycle ?? []).map((step) => step.name).join(' → ')}`,
    )
    expect(output.summary.totalCruised).toBeGreaterThan(40)
    expect(cycles).toEqual([])
  })
})

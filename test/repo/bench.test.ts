import { posix } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cruiseRepository } from './cruise.js'

describe('the bench', () => {
  it('imports nothing from test/: what it shares with the tests is in tools/', async () => {
    const output = await cruiseRepository(['bench/src', 'bench/test'], {
      // Type-only imports and triple-slash references count as well.
      tsPreCompilationDeps: true,
      // What bench/ reaches is listed, but only bench/ itself is read.
      doNotFollow: { path: '^(?!bench/)' },
      exclude: { path: 'node_modules' },
    })
    const bench = output.modules.filter((m) => m.source.startsWith('bench/'))
    const intoTest = bench.flatMap((m) =>
      m.dependencies
        // A relative import that does not resolve still names where it points.
        .map((d) =>
          d.couldNotResolve && d.module.startsWith('.')
            ? posix.join(posix.dirname(m.source), d.module)
            : d.resolved,
        )
        .filter((target) => target.startsWith('test/'))
        .map((target) => `${m.source} → ${target}`),
    )
    const imported = new Set(bench.flatMap((m) => m.dependencies.map((d) => d.module)))
    expect(bench.length).toBeGreaterThanOrEqual(20)
    expect(intoTest).toEqual([])
    expect([...imported]).toEqual(
      expect.arrayContaining(['@xmpp-errors/throwaway-servers', '@xmpp-errors/throwaway-clients']),
    )
  })
})

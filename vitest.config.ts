import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

/**
 * One project per published package: its unit and property tests. Its type tests
 * (`*.test-d.ts`) are compiled by the `types` project.
 */
const packageProject = (name: string): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    name: `unit:${name}`,
    include: [`packages/${name}/test/**/*.test.ts`],
  },
})

const IN_PROCESS = [
  'test/adversarial.test.ts',
  'test/default-logger.test.ts',
  'test/guard-in-process.test.ts',
  'test/hostile-in-process.test.ts',
  'test/hostile-server.test.ts',
  'test/peer-errors-in-process.test.ts',
  'test/runtime.test.ts',
]

export default defineConfig({
  test: {
    projects: [
      ...['conditions', 'errors', 'middleware', 'otel', 'testing', 'xep'].map(packageProject),
      {
        extends: true,
        test: { name: 'types', include: ['test/types/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'unit:repo', include: ['test/repo/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'unit:tools', include: ['tools/*/test/**/*.test.ts'] },
      },
      {
        extends: true,
        // Suites that run xmpp.js in this process, with no server: no global setup to wait for.
        test: { name: 'in-process', include: IN_PROCESS, testTimeout: 30_000 },
      },
      {
        extends: true,
        test: { name: 'unit:bot', include: ['examples/*/test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'test/**/*.test.ts',
            'examples/*/test/integration/**/*.test.ts',
            'bench/test/**/*.test.ts',
          ],
          // The soak runs for minutes: `pnpm soak`, never as part of `pnpm test`.
          exclude: [
            ...configDefaults.exclude,
            'test/types/**',
            'test/repo/**',
            ...IN_PROCESS,
            ...(process.env.SOAK_MINUTES ? [] : ['test/soak.test.ts']),
          ],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})

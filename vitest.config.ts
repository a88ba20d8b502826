import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'examples/*/test/unit/**/*.test.ts'],
          typecheck: {
            enabled: true,
            include: ['packages/*/test/**/*.test-d.ts'],
            tsconfig: 'tsconfig.test.json',
          },
        },
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
          exclude: process.env.SOAK_MINUTES ? [] : ['test/soak.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { serverStreamErrors } from '../src/connection-policy.js'

// Plain ESM without types: it renders from packages/middleware/dist, so `tsc -b` comes first.
const scriptUrl = new URL('../../../scripts/server-stream-errors-table.js', import.meta.url)
const { renderReadme, README_URL } = (await import(scriptUrl.href as string)) as {
  renderReadme: () => string
  README_URL: URL
}

describe("the README's table of server stream errors", () => {
  it('is what scripts/server-stream-errors-table.js --write generates (run `pnpm docs` if not)', () => {
    expect(readFileSync(README_URL, 'utf8')).toBe(renderReadme())
  })

  it('has a row per condition, with its hint', () => {
    const readme = readFileSync(README_URL, 'utf8')
    for (const [condition, rule] of Object.entries(serverStreamErrors)) {
      const rows = readme.split('\n').filter((line) => line.startsWith(`| [\`${condition}\`]`))
      expect(rows, condition).toHaveLength(1)
      expect(rows[0]).toContain(rule.hint)
    }
  })
})

import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { xeps } from '../src/index.js'

// Plain ESM without types: it renders from packages/xep/dist, so `tsc -b` comes first.
const scriptUrl = new URL('../../../scripts/xep-conditions-table.js', import.meta.url)
const { renderMarkdown, DOCS_URL } = (await import(scriptUrl.href as string)) as {
  renderMarkdown: () => string
  DOCS_URL: URL
}

describe('docs/xep-conditions.md', () => {
  it('is what scripts/xep-conditions-table.js --write generates (run `pnpm run docs` if not)', () => {
    expect(readFileSync(DOCS_URL, 'utf8')).toBe(renderMarkdown())
  })

  it('has one row per condition, citing the section of each pair', () => {
    const md = renderMarkdown()
    for (const xep of Object.values(xeps)) {
      for (const [condition, row] of Object.entries(xep.conditions)) {
        const lines = md.split('\n').filter((l) => l.startsWith(`| \`<${condition}/>\` |`))
        const line = lines.find((l) => l.includes(xep.xep))
        expect(line, `${xep.xep} ${condition}`).toBeDefined()
        for (const pair of row.pairs) {
          expect(line).toContain(`\`${pair.condition}\` (${pair.type}`)
          expect(line).toContain(`[${xep.xep} §${pair.section}](${xep.url})`)
        }
      }
    }
  })

  it('says where a XEP departs from the type RFC 6120 recommends', () => {
    const line = renderMarkdown()
      .split('\n')
      .find((l) => l.startsWith('| `<not-subscribed/>` |'))
    expect(line).toContain(
      '`unexpected-request` (cancel; RFC 6120 [§8.3.3.22](https://www.rfc-editor.org/rfc/rfc6120#section-8.3.3.22) recommends wait or modify)',
    )
  })

  it('--check passes on the committed file', () => {
    const run = spawnSync(process.execPath, [fileURLToPath(scriptUrl), '--check'], {
      encoding: 'utf8',
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })
})

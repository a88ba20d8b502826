import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const DIR = join(import.meta.dirname, '..', '..', '.changeset')
const packages = new Set(
  readdirSync(join(DIR, '..', 'packages')).map(
    (dir) =>
      (
        JSON.parse(readFileSync(join(DIR, '..', 'packages', dir, 'package.json'), 'utf8')) as {
          name: string
        }
      ).name,
  ),
)
const files = readdirSync(DIR).filter((f) => f.endsWith('.md') && f !== 'README.md')

// A Markdown formatter reads `'pkg': minor` followed by `---` as a heading and rewrites it to
// `## 'pkg': minor`, after which `changeset version` refuses the file.
describe('changesets', () => {
  it.each(files)('%s has front matter that names published packages and bumps', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8')
    const front = /^---\n([\s\S]*?)\n---\n/.exec(text)
    expect(front, 'front matter between two --- lines').not.toBeNull()
    const lines = (front?.[1] ?? '').split('\n').filter((line) => line.trim() !== '')
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      const bump = /^'(@xmpp-errors\/[a-z-]+)': (major|minor|patch)$/.exec(line)
      expect(bump, line).not.toBeNull()
      expect(packages, line).toContain(bump?.[1])
    }
  })
})

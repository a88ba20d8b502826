import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { NotesErrors } from '../../src/errors.js'

const root = fileURLToPath(new URL('../../../../', import.meta.url))

describe('NotesErrors', () => {
  it('has every error in English and German', () => {
    for (const factory of Object.values(NotesErrors)) {
      expect(Object.keys(factory.text)).toEqual(['en', 'de'])
    }
    const error = NotesErrors.noSuchNote({ key: '"a"' })
    expect([error.condition, error.text, error.texts.de]).toEqual([
      'item-not-found',
      'no note named "a"',
      'keine Notiz namens "a"',
    ])
  })

  it('is described by ERRORS.md, generated from it (run `pnpm run docs` if not)', () => {
    const run = spawnSync(
      process.execPath,
      [
        'scripts/catalogue-table.js',
        'examples/bot/dist/errors.js',
        'NotesErrors',
        'examples/bot/ERRORS.md',
        '--check',
      ],
      { cwd: root, encoding: 'utf8' },
    )
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })
})

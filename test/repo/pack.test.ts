import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')

describe('packing a package', () => {
  it('with npm pack in its folder refuses, pointing at scripts/pack.js', async () => {
    // npm would copy `workspace:^` into the manifest, and npm cannot install that tarball.
    const dir = join(ROOT, 'packages/middleware')
    const packing = promisify(execFile)('npm', ['pack', '--dry-run'], { cwd: dir })
    await expect(packing).rejects.toMatchObject({
      stderr: expect.stringContaining('node scripts/pack.js <dir>'),
    })
    expect((await readdir(dir)).filter((f) => f.endsWith('.tgz'))).toEqual([])
  }, 30_000)
})

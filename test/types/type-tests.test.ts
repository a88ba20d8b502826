// The packages' type tests (packages/*/test/*.test-d.ts): `expectTypeOf` assertions and
// `@ts-expect-error` lines, which hold when they compile. tsc checks them here, as Vitest's
// typecheck mode would, without that mode's warning, on every run, that it is experimental.
import { execFile } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const tsc = (...args: string[]) =>
  promisify(execFile)(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.types.json', ...args],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  ).then(
    ({ stdout }) => ({ ok: true, stdout }),
    (error: { stdout?: string }) => ({ ok: false, stdout: error.stdout ?? String(error) }),
  )

async function typeTestFiles(): Promise<string[]> {
  const files: string[] = []
  for (const name of await readdir(join(root, 'packages'))) {
    const test = join(root, 'packages', name, 'test')
    const entries = await readdir(test, { recursive: true }).catch(() => [])
    for (const entry of entries) if (entry.endsWith('.test-d.ts')) files.push(join(test, entry))
  }
  return files.sort()
}

it("every package's type tests compile under the tests' strict settings", async () => {
  // Every type test is part of the program, so that none can pass by not being checked.
  const listed = await tsc('--listFilesOnly')
  const checked = listed.stdout.split('\n').filter((file) => file.endsWith('.test-d.ts'))
  expect(checked.map((file) => resolve(file)).sort()).toEqual(await typeTestFiles())
  expect(await tsc('--pretty', 'false')).toEqual({ ok: true, stdout: '' })
}, 120_000)

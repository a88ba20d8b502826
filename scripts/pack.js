// Packs the packages as they would be published, after `tsc -b`:
//   node scripts/pack.js <dir>   `pnpm pack` of every packages/* that is not private into <dir>,
//                                printing the tarballs' paths, one per line
// pnpm runs through corepack, never as a bare `pnpm`, which a clean machine does not have.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/** `pnpm pack` of each publishable package into `into`; returns the tarballs' paths. */
export function packAll(into) {
  mkdirSync(into, { recursive: true })
  const tarballs = []
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', name)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    if (manifest.private) continue
    const out = execFileSync('corepack', ['pnpm', 'pack', '--pack-destination', into], {
      cwd: dir,
      env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' },
      encoding: 'utf8',
    })
    tarballs.push(resolve(into, out.trim().split('\n').pop()))
  }
  return tarballs
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const into = process.argv[2]
  if (!into) {
    console.error('usage: node scripts/pack.js <dir>')
    process.exit(2)
  }
  console.log(packAll(resolve(into)).join('\n'))
}

// Packs the packages as they would be published, after `tsc -b`:
//   node scripts/pack.js <dir>   `pnpm pack` into <dir> of every packages/* that is not private and
//                                of the declarations of types/, printing the tarballs' paths, one
//                                per line
// pnpm runs through corepack, never as a bare `pnpm`, which a clean machine does not have.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * The folders to pack: each package of packages/ that is not private, and each of types/. Those
 * are private as DefinitelyTyped writes them (it publishes them itself); until it does, their
 * tarballs are how a project installs them.
 */
export function packable() {
  return [...publishedPackages(), ...folders('types')]
}

/** The packages of packages/ that are not private: the `@xmpp-errors/*` packages. */
export function publishedPackages() {
  return folders('packages').filter(
    (dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private,
  )
}

/** The package folders under `parent`. */
const folders = (parent) =>
  readdirSync(join(root, parent))
    .sort()
    .map((name) => join(root, parent, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))

/** `pnpm pack` of each of `dirs` into `into`; returns the tarballs' paths. */
export function packAll(into, dirs = packable()) {
  mkdirSync(into, { recursive: true })
  const tarballs = []
  for (const dir of dirs) {
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

// Checks the packages as they would be published, after `tsc -b`:
//   node scripts/lint-packages.js                 packs them first (scripts/pack.js)
//   node scripts/lint-packages.js a.tgz b.tgz     checks these tarballs
// publint (strict: warnings fail) and @arethetypeswrong/cli with the ESM profile, since the
// packages are ESM only, and the repository's LICENSE in each tarball. Exits 1 on any problem.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packAll, publishedPackages } from './pack.js'

const root = fileURLToPath(new URL('..', import.meta.url))
// The workspace's publint and attw, however this script was started.
const env = {
  ...process.env,
  PATH: `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`,
}

/** Runs a check; its output is shown either way, and a failure is counted. */
function check(what, file, args) {
  try {
    const out = execFileSync(file, args, {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    console.log(`ok ${what}\n${indent(out)}`)
    return true
  } catch (error) {
    console.log(`FAIL ${what}\n${indent(`${error.stdout ?? ''}${error.stderr ?? ''}`)}`)
    return false
  }
}

const indent = (text) =>
  text
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `    ${line}`)
    .join('\n')

const given = process.argv.slice(2)
const temp = given.length === 0 ? mkdtempSync(join(tmpdir(), 'xmpp-errors-pack-')) : undefined
let failed = 0
try {
  const tarballs = temp ? packAll(temp, publishedPackages()) : given.map((file) => resolve(file))
  for (const tarball of tarballs) {
    const name = tarball.split(/[\\/]/).pop()
    if (!check(`publint ${name}`, 'publint', ['run', tarball, '--strict'])) failed++
    const attw = ['--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color']
    if (!check(`attw ${name}`, 'attw', [tarball, ...attw])) failed++
    // The repository's LICENSE, word for word: the copy in each package must not drift.
    const license = execFileSync('tar', ['-xzOf', tarball, 'package/LICENSE'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString()
    if (license !== '' && license === readFileSync(join(root, 'LICENSE'), 'utf8')) {
      console.log(`ok LICENSE in ${name}`)
    } else {
      console.log(`FAIL ${name} has no LICENSE, or not the repository's`)
      failed++
    }
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true })
}
if (failed > 0) {
  console.log(`${failed} check(s) failed`)
  process.exit(1)
}

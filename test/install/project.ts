import { execFile } from 'node:child_process'
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'

// A project outside the workspace, made as a new user makes one: `npm init -y`, then npm installs
// the packed tarballs beside xmpp.js. No links, no workspace: what the registry would serve.

const run = promisify(execFile)

export const ROOT = resolve(import.meta.dirname, '../..')

/** xmpp.js as users install it: the latest component (0.13, CommonJS) and the 0.14 client. */
export const COMPONENT = '@xmpp/component@0.13.1'
export const XMPP_JS = [COMPONENT, '@xmpp/client@0.14.0']
/** What the quick start and a strict TypeScript consumer need beside them. */
export const CONSUMER = ['pino@9', '@types/node@20']

export interface Published {
  name: string
  /** packages/<dir> */
  dir: string
  tarball: string
  /** Its `dependencies`, as packed. */
  dependencies: Record<string, string>
}

export interface Command {
  stdout: string
  stderr: string
}

export async function exec(
  file: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<Command> {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      timeout: options.timeout ?? 120_000,
      maxBuffer: 32 * 1024 * 1024,
    })
    return { stdout, stderr }
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    throw new Error(`${file} ${args.join(' ')} failed in ${options.cwd}:\n${stdout}\n${stderr}`, {
      cause: error,
    })
  }
}

/** What `scripts/pack.js` packed: our packages, and the declarations of types/ for xmpp.js. */
export interface Packed {
  published: Published[]
  /** The tarballs of `@types/xmpp__component` and `@types/xmpp__component-core`. */
  declarations: string[]
}

/** `scripts/pack.js`: `pnpm pack` of each package into `into`, workspace ranges made versions. */
export async function pack(into: string): Promise<Packed> {
  const { stdout } = await exec(process.execPath, ['scripts/pack.js', into], { cwd: ROOT })
  const dirs = new Map<string, string>()
  for (const dir of await readdir(join(ROOT, 'packages'))) {
    const manifest = await readFile(join(ROOT, 'packages', dir, 'package.json'), 'utf8')
    dirs.set((JSON.parse(manifest) as { name: string }).name, join(ROOT, 'packages', dir))
  }
  const packed: Packed = { published: [], declarations: [] }
  for (const tarball of stdout.trim().split('\n')) {
    const { stdout: manifest } = await exec('tar', ['-xzOf', tarball, 'package/package.json'], {
      cwd: ROOT,
    })
    const { name, dependencies = {} } = JSON.parse(manifest) as Omit<Published, 'dir' | 'tarball'>
    if (name.startsWith('@types/')) packed.declarations.push(tarball)
    else packed.published.push({ name, dir: dirs.get(name) ?? '', tarball, dependencies })
  }
  return packed
}

/**
 * npm's cache for the install tests: apart from the user's, and shared by every install of a run
 * and the runs after it (npm's cache is safe to share between processes and checks what it
 * reads), so that the registry's packages are fetched once, not once per project. One per user:
 * another user's would not be writable.
 */
const NPM_CACHE = join(tmpdir(), `xmpp-errors-npm-cache-${process.getuid?.() ?? 'user'}`)

/**
 * `npm init -y`, `"type": "module"` (the quick start uses `import` and top-level `await`), then
 * one `npm install` of the tarballs and `extra`, with the install tests' own cache.
 */
export async function npmProject(dir: string, tarballs: string[], extra: string[]): Promise<void> {
  await mkdir(dir, { recursive: true })
  const npm = { cwd: dir, env: { npm_config_cache: NPM_CACHE } }
  await exec('npm', ['init', '-y'], npm)
  await exec('npm', ['pkg', 'set', 'type=module'], npm)
  await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...extra],
    { ...npm, timeout: 240_000 },
  )
}

/** The directory of the package `name` as Node resolves it from `from`. */
export function packageDir(name: string, from: string): string {
  const require = createRequire(join(from, 'noop.js'))
  let dir = dirname(require.resolve(name))
  while (dir !== dirname(dir)) {
    try {
      const manifest = require(join(dir, 'package.json')) as { name?: string }
      if (manifest.name === name) return dir
    } catch {}
    dir = dirname(dir)
  }
  throw new Error(`no package.json of ${name} above ${require.resolve(name)}`)
}

/**
 * The layout of an `npm link`, a nested workspace, or a version skew between the `@xmpp/xml`
 * of xmpp.js and ours: each of `packages` gets its own copy of `@xmpp/xml` and `ltx` in its own
 * node_modules, so the elements it builds are of another class than xmpp.js's.
 */
export async function giveOwnCopies(project: string, packages: string[]): Promise<void> {
  for (const name of packages) {
    const dir = join(project, 'node_modules', name)
    const xml = packageDir('@xmpp/xml', dir)
    const ltx = packageDir('ltx', xml)
    // npm may already have nested one of them there: copy only what is shared.
    for (const [from, to] of [
      [xml, join(dir, 'node_modules', '@xmpp', 'xml')],
      [ltx, join(dir, 'node_modules', 'ltx')],
    ] as const) {
      if (from !== to) await cp(from, to, { recursive: true })
    }
  }
}

/**
 * Where, in a fresh Node.js process in `project`, each package's `@xmpp/xml` resolves, and whether
 * its `Element` is the very class xmpp.js's IQ handler (in `@xmpp/iq`) tests replies against.
 */
export async function elementClasses(
  project: string,
  packages: string[],
): Promise<Record<string, { xml: string; sameClassAsXmppJs: boolean }>> {
  const script = `
    const { createRequire } = require('node:module')
    const { join } = require('node:path')
    const from = (dir) => createRequire(join(dir, 'noop.js'))
    const component = require.resolve('@xmpp/component')
    const theirs = from(from(component).resolve('@xmpp/iq/callee.js'))('@xmpp/xml').Element
    const out = {}
    for (const name of JSON.parse(process.argv[1])) {
      const own = from(join(process.cwd(), 'node_modules', name))
      const xml = own.resolve('@xmpp/xml')
      out[name] = { xml, sameClassAsXmppJs: own('@xmpp/xml').Element === theirs }
    }
    console.log(JSON.stringify(out))
  `
  const { stdout } = await exec(process.execPath, ['-e', script, JSON.stringify(packages)], {
    cwd: project,
  })
  return JSON.parse(stdout)
}

/** `tsc -p tsconfig` in `project`: what it prints, errors included (tsc exits 2 on errors). */
export async function compile(project: string, tsconfig: string): Promise<string> {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, '-p', tsconfig], { cwd: project }, (error, stdout, stderr) => {
      // 1 and 2: diagnostics, printed on stdout; anything else is tsc failing to run.
      if (error && !(error.code === 1 || error.code === 2)) {
        reject(new Error(`tsc -p ${tsconfig} failed in ${project}:\n${stdout}\n${stderr}`))
      } else resolve(stdout)
    })
  })
}

/** Copies a fixture file of test/install/fixtures (or any file of the repo) into the project. */
export async function copyIn(project: string, from: string, to: string): Promise<string> {
  const target = join(project, to)
  await mkdir(dirname(target), { recursive: true })
  await writeFile(target, await readFile(resolve(ROOT, from)))
  return target
}

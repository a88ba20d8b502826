import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, rm, writeFile } from 'node:fs/promises'
import { findExecutable } from './process.js'

// What the throwaway servers and the test clients need from Debian, and the one installer of it.

/** A Debian package the tests or the demo need, and how to tell it is installed. */
export interface SystemPackage {
  /** Debian's package name, as given to apt-get. */
  name: string
  /** What needs it, for the message that asks for it. */
  neededBy: string
  installed(): boolean
}

/**
 * Debian's Python, which python3-* packages install for: a `python3` found first on PATH (pyenv,
 * a virtualenv) may not see them.
 */
export const DEBIAN_PYTHON = '/usr/bin/python3'

const python3Runs = (statement: string) =>
  spawnSync(DEBIAN_PYTHON, ['-c', statement], { stdio: 'ignore' }).status === 0

export const SYSTEM_PACKAGES = {
  prosody: {
    name: 'prosody',
    neededBy: 'the Prosody of the integration tests and the demo',
    installed: () => Boolean(findExecutable('prosody') && findExecutable('prosodyctl')),
  },
  ejabberd: {
    name: 'ejabberd',
    neededBy: 'the ejabberd of the integration tests',
    installed: () => Boolean(findExecutable('erl') && findExecutable('ejabberdctl')),
  },
  slixmpp: {
    name: 'python3-slixmpp',
    neededBy: 'the tests that read replies as Slixmpp does',
    // What the probe imports: python3-slixmpp-lib, left behind when python3-slixmpp is removed,
    // keeps a directory that `import slixmpp` takes for an empty namespace package.
    installed: () => python3Runs('from slixmpp import ClientXMPP'),
  },
  chromium: {
    name: 'chromium',
    neededBy: 'the browser test of examples/web (headless, driven by puppeteer-core)',
    installed: () => Boolean(findExecutable('chromium')),
  },
} as const satisfies Record<string, SystemPackage>

export type SystemPackageName = keyof typeof SYSTEM_PACKAGES

/** Some packages are missing and could not be installed here; the message says how to. */
export class MissingPackages extends Error {
  readonly packages: readonly string[]
  /** Whether apt-get ran: false when installing was not asked for or cannot be done here. */
  readonly attempted: boolean
  constructor(packages: readonly SystemPackage[], why: string, attempted = false) {
    const names = packages.map((p) => p.name)
    super(
      `${why}: ${packages.map((p) => `${p.name} (${p.neededBy})`).join(', ')}. ` +
        `Install them as root: ${installCommand(names)}`,
    )
    this.name = 'MissingPackages'
    this.packages = names
    this.attempted = attempted
  }
}

export function installCommand(names: readonly string[]): string {
  return `apt-get update && apt-get install -y ${names.join(' ')}`
}

/** What ensurePackages() needs of the machine; tests give their own. */
export interface Machine {
  isRoot: boolean
  hasAptGet: boolean
  /** Runs apt-get with these arguments; rejects when it fails. */
  aptGet(args: readonly string[]): Promise<void>
}

export interface EnsurePackagesOptions {
  /** Told before an install starts (default: nothing). */
  note?: (line: string) => void
  /** Install what is missing, as root with apt-get (default true). */
  install?: boolean
  machine?: Machine
}

/**
 * Makes sure every package named is installed: what is missing is installed in one apt-get run
 * when this process is root on a machine with apt-get, so that a fresh machine needs nothing but
 * Node.js and root. Otherwise it throws a MissingPackages that names the packages and the command,
 * at once, before any test has started.
 */
export function ensurePackages(
  names: readonly SystemPackageName[],
  o: EnsurePackagesOptions = {},
): Promise<void> {
  return ensureInstalled(
    names.map((n) => SYSTEM_PACKAGES[n]),
    o,
  )
}

/** ensurePackages() for any packages, described by the caller. */
export async function ensureInstalled(
  packages: readonly SystemPackage[],
  o: EnsurePackagesOptions = {},
): Promise<void> {
  const { note = () => {}, install = true, machine = thisMachine() } = o
  const missing = packages.filter((p) => !p.installed())
  if (missing.length === 0) return
  if (!install) throw new MissingPackages(missing, 'Not installed')
  if (!machine.isRoot) throw new MissingPackages(missing, 'Not installed, and this is not root')
  if (!machine.hasAptGet)
    throw new MissingPackages(missing, 'Not installed, and there is no apt-get')
  const list = missing.map((p) => p.name)
  note(`installing ${list.join(', ')}: ${installCommand(list)}`)
  await machine.aptGet(['update'])
  await machine.aptGet(['install', '-y', ...list])
  const still = missing.filter((p) => !p.installed())
  if (still.length > 0) {
    throw new MissingPackages(still, 'apt-get ran, yet still not installed', true)
  }
}

function thisMachine(): Machine {
  return {
    isRoot: process.getuid?.() === 0,
    hasAptGet: findExecutable('apt-get') !== undefined,
    aptGet: withoutDaemons(runAptGet),
  }
}

const POLICY = '/usr/sbin/policy-rc.d'

/**
 * The servers are started by the tests themselves, each on its own ports. A system daemon that a
 * package's postinst would start is not wanted (and one failing to start, with no init or a port
 * taken, would fail the install), so service starts are denied while installing, unless the
 * machine has a policy of its own.
 */
function withoutDaemons(
  aptGet: (args: readonly string[]) => Promise<void>,
): (args: readonly string[]) => Promise<void> {
  return async (args) => {
    const ownPolicy = !existsSync(POLICY)
    if (ownPolicy) {
      await writeFile(POLICY, '#!/bin/sh\nexit 101\n')
      await chmod(POLICY, 0o755)
    }
    try {
      await aptGet(args)
    } finally {
      if (ownPolicy) await rm(POLICY, { force: true })
    }
  }
}

function runAptGet(args: readonly string[]): Promise<void> {
  // Another apt-get or dpkg on the machine holds the lock for a while: wait for it.
  const argv = ['-o', 'DPkg::Lock::Timeout=300', ...args]
  return new Promise((resolve, reject) => {
    // The installer's output goes to stderr, so that a caller's stdout (e.g. JSON) stays clean.
    const child = spawn('apt-get', argv, {
      stdio: ['ignore', 2, 2],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
    child.once('error', reject)
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`apt-get ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    )
  })
}

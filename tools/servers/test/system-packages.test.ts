import { describe, expect, it } from 'vitest'
import {
  ensureInstalled,
  type Machine,
  MissingPackages,
  type SystemPackage,
} from '../src/system-packages.js'

/** A package that apt-get "installs" by flipping its flag, and a machine that records its runs. */
function fixture(installed: Record<string, boolean>, machine: Partial<Machine> = {}) {
  const runs: string[][] = []
  const packages: SystemPackage[] = Object.keys(installed).map((name) => ({
    name,
    neededBy: `the ${name} tests`,
    installed: () => installed[name] === true,
  }))
  const m: Machine = {
    isRoot: true,
    hasAptGet: true,
    aptGet: async (args) => {
      runs.push([...args])
      if (args[0] === 'install') for (const name of args.slice(2)) installed[name] = true
    },
    ...machine,
  }
  return { packages, machine: m, runs }
}

describe('ensureInstalled', () => {
  it('runs nothing when everything is installed', async () => {
    const f = fixture({ prosody: true, ejabberd: true })
    await ensureInstalled(f.packages, { machine: f.machine })
    expect(f.runs).toEqual([])
  })

  it('installs everything missing in one apt-get run, as root, and says so first', async () => {
    const f = fixture({ prosody: true, ejabberd: false, 'python3-slixmpp': false })
    const notes: string[] = []
    await ensureInstalled(f.packages, { machine: f.machine, note: (l) => notes.push(l) })
    expect(f.runs).toEqual([['update'], ['install', '-y', 'ejabberd', 'python3-slixmpp']])
    expect(notes).toEqual([
      'installing ejabberd, python3-slixmpp: apt-get update && apt-get install -y ejabberd python3-slixmpp',
    ])
  })

  it.each([
    ['not root', { isRoot: false }, 'this is not root'],
    ['no apt-get', { hasAptGet: false }, 'there is no apt-get'],
  ])('stops at once, %s, with one line that names what to install', async (_, m, why) => {
    const f = fixture({ prosody: true, ejabberd: false }, m)
    const err = await ensureInstalled(f.packages, { machine: f.machine }).catch((e) => e)
    expect(err).toBeInstanceOf(MissingPackages)
    expect(err.packages).toEqual(['ejabberd'])
    expect(err.message).toContain(why)
    expect(err.message).toContain('ejabberd (the ejabberd tests)')
    expect(err.message).toMatch(
      /Install them as root: apt-get update && apt-get install -y ejabberd$/,
    )
    expect(err.message).not.toContain('\n')
    expect(err.attempted).toBe(false)
    expect(f.runs).toEqual([])
  })

  it('says so when apt-get ran and the package is still missing', async () => {
    const f = fixture({ ejabberd: false }, { aptGet: async () => {} })
    const err = await ensureInstalled(f.packages, { machine: f.machine }).catch((e) => e)
    expect(err).toBeInstanceOf(MissingPackages)
    expect(err.message).toMatch(/apt-get ran, yet still not installed: ejabberd/)
    expect(err.attempted).toBe(true)
  })

  it('does not install when asked not to', async () => {
    const f = fixture({ ejabberd: false })
    await expect(
      ensureInstalled(f.packages, { machine: f.machine, install: false }),
    ).rejects.toThrow(MissingPackages)
    expect(f.runs).toEqual([])
  })
})

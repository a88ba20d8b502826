import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism, cpus, totalmem } from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memory: string
  node: string
  /** name@version of the xmpp.js packages as resolved, including the ones used underneath. */
  xmppjs: string[]
  prosody: string
  date: string
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match?.[1]) return match[1].trim()
  } catch {}
  return cpus()[0]?.model ?? 'unknown'
}

function versionOf(require: NodeRequire, name: string): string | undefined {
  try {
    const pkg = require(`${name}/package.json`) as { version?: string }
    return pkg.version
  } catch {
    return undefined
  }
}

/** The package's own version and the versions it resolves its xmpp.js dependencies to. */
function xmppjs(): string[] {
  const here = createRequire(import.meta.url)
  const out = new Set<string>()
  for (const [top, deps] of [
    ['@xmpp/component', ['@xmpp/component-core', '@xmpp/middleware', '@xmpp/iq']],
    ['@xmpp/client', []],
  ] as const) {
    const version = versionOf(here, top)
    if (version === undefined) continue
    out.add(`${top}@${version}`)
    const inner = createRequire(here.resolve(`${top}/package.json`))
    for (const dep of deps) {
      const v = versionOf(inner, dep)
      if (v !== undefined) out.add(`${dep}@${v}`)
    }
  }
  return [...out]
}

function prosodyVersion(): string {
  try {
    return readFileSync('/usr/lib/prosody/prosody.version', 'utf8').trim()
  } catch {
    return 'unknown'
  }
}

export function machine(): Machine {
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    xmppjs: xmppjs(),
    prosody: prosodyVersion(),
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  }
}

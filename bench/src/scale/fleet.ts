import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

// Component processes of a scale-out, as child processes: each runs component.ts.

const here = fileURLToPath(import.meta.url)
/** The compiled script; from the uncompiled module (under vitest) it is found in bench/dist. */
const SCRIPT = here.endsWith('.ts')
  ? join(dirname(here), '../../dist/scale/component.js')
  : join(dirname(here), 'component.js')

/** The fields of an error record that the runs read, as the component writes it. */
export interface RecordLine {
  event: 'record'
  level: string
  condition: string
  type?: string
  id?: string
  from?: string
  action: string
}

export interface ComponentProcess {
  readonly name: string
  readonly child: ChildProcess
  readonly pid: number
  /** Every error record it wrote, in order. */
  readonly records: RecordLine[]
  /** Resolves when it is online; rejects if it exits first. */
  readonly online: Promise<void>
  readonly exited: Promise<string>
  readonly stderr: string[]
  /** Sends `signal` and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** CPU time (user + system) it has used so far, in milliseconds. */
  cpuMs(): number
}

export interface ComponentTarget {
  host: string
  componentPort: number
  componentSecret: string
}

/** Starts one component process for `domain`, named `name` in its results. */
export function startComponent(
  target: ComponentTarget,
  domain: string,
  name: string,
  options: { handlerMs?: number; errorLimit?: number } = {},
): ComponentProcess {
  const child = spawn(process.execPath, [SCRIPT], {
    env: {
      ...process.env,
      SCALE_SERVICE: `xmpp://${target.host}:${target.componentPort}`,
      SCALE_DOMAIN: domain,
      SCALE_SECRET: target.componentSecret,
      SCALE_NAME: name,
      SCALE_HANDLER_MS: String(options.handlerMs ?? 0),
      SCALE_ERROR_LIMIT: String(options.errorLimit ?? 0),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const pid = child.pid
  if (pid === undefined) throw new Error(`could not start component ${name} (${SCRIPT})`)
  const records: RecordLine[] = []
  const stderr: string[] = []
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`))
  })
  const online = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      let fields: { event?: unknown }
      try {
        fields = JSON.parse(text) as { event?: unknown }
      } catch {
        stderr.push(text)
        return
      }
      if (fields.event === 'online') resolve()
      else if (fields.event === 'record') records.push(fields as RecordLine)
    })
    void exited.then((how) =>
      reject(
        new Error(`component ${name} exited (${how}) before it was online:\n${stderr.join('\n')}`),
      ),
    )
  })
  // A caller that only awaits `exited` must not get an unhandled rejection from `online`.
  online.catch(() => {})
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (text) =>
    stderr.push(text),
  )
  return {
    name,
    child,
    pid,
    records,
    online,
    exited,
    stderr,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      await exited
    },
    cpuMs: () => processCpuMs(pid),
  }
}

/** Clock ticks per second of /proc/PID/stat's times: USER_HZ, 100 on Linux. */
const USER_HZ = 100

/** CPU time (user + system, in ms) that process `pid` has used, from /proc; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    // After "pid (comm) ", state is field 0: utime and stime are the 12th and 13th.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ
  } catch {
    return 0
  }
}

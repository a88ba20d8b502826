import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { accessSync, closeSync, constants, openSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

// Process, port and directory helpers of the throwaway servers, Prosody's and ejabberd's.

/** Where the throwaway servers listen: loopback only. */
export const HOST = '127.0.0.1'
/** The throwaway servers' one virtual host. */
export const DOMAIN = 'localhost'
const STOP_TIMEOUT_MS = 5_000

/** A fresh temp dir, `xmpp-errors-<kind>-XXXXXX`, for one server's config, data and logs. */
export function serverDir(kind: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `xmpp-errors-${kind}-`))
}

/** The executable `name` on PATH, or in /usr/bin or /usr/sbin; undefined when there is none. */
export function findExecutable(name: string): string | undefined {
  // /usr/sbin (prosodyctl, ejabberdctl) and /usr/bin are not on every non-root PATH.
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin']
  for (const d of dirs) {
    if (!d) continue
    const candidate = join(d, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

/** `n` distinct free TCP ports on `host` (default HOST). */
export async function freePorts(n: number, host = HOST): Promise<number[]> {
  // The ports are held open together so that the ones returned are distinct.
  const servers: Server[] = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer()
          s.once('error', reject)
          s.listen(0, host, () => resolve(s))
        }),
    ),
  )
  const ports = servers.map((s) => {
    const address = s.address()
    if (address === null || typeof address === 'string') throw new Error('no TCP address')
    return address.port
  })
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
  return ports
}

function accepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** A server process spawned by spawnLogged(). */
export interface Launched {
  child: ChildProcess
  pid: number
  /** Resolves once the process has exited, never rejects. */
  exited: Promise<void>
  exitReason: string | undefined
}

/**
 * Spawns a server with its stdout and stderr appended to `dir`/stdout.log, so that what it says
 * when it fails to start survives the process that started it.
 */
export function spawnLogged(
  command: string,
  args: readonly string[],
  dir: string,
  options: Omit<SpawnOptions, 'stdio'> & { stdin?: 'ignore' | 'pipe' },
): Launched {
  const { stdin = 'ignore', ...spawnOptions } = options
  const out = openSync(join(dir, 'stdout.log'), 'a')
  const child = spawn(command, args, { ...spawnOptions, stdio: [stdin, out, out] })
  closeSync(out)
  if (child.pid === undefined) throw new Error(`could not start ${command}`)
  const launched: Launched = {
    child,
    pid: child.pid,
    exitReason: undefined,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        launched.exitReason = signal ? `signal ${signal}` : `exit code ${code}`
        resolve()
      })
      child.once('error', (err) => {
        launched.exitReason = err.message
        resolve()
      })
    }),
  }
  return launched
}

function isRunning(proc: Launched): boolean {
  return proc.exitReason === undefined && proc.child.exitCode === null && !proc.child.signalCode
}

/**
 * Asks `proc` to exit and waits until it has: with SIGTERM, or with `ask` and then SIGTERM after
 * half of STOP_TIMEOUT_MS; SIGKILL after all of it.
 */
async function terminate(proc: Launched, ask?: (proc: Launched) => void): Promise<void> {
  if (!isRunning(proc)) return
  const timers: NodeJS.Timeout[] = []
  if (ask) {
    ask(proc)
    timers.push(setTimeout(() => proc.child.kill('SIGTERM'), STOP_TIMEOUT_MS / 2))
  } else {
    proc.child.kill('SIGTERM')
  }
  timers.push(setTimeout(() => proc.child.kill('SIGKILL'), STOP_TIMEOUT_MS))
  await proc.exited
  for (const timer of timers) clearTimeout(timer)
}

/** A server's process across restarts: what its stop(), kill() and restart() act on. */
export interface Supervisor {
  /** The process launched last. */
  readonly proc: Launched
  /** Asks the process to exit (see terminate()) and waits until it has. */
  stop(): Promise<void>
  /** SIGKILLs the process and waits until it has exited. */
  kill(): Promise<void>
  /** Stops the process and launches it again; the new one is not ready yet. */
  relaunch(): Promise<Launched>
  /** Awaits `ready`; if it rejects, kills the process and rethrows. */
  killUnless(ready: Promise<unknown>): Promise<void>
}

/** Supervises `first`, relaunched with `launch`; `ask` is how stop() asks it to exit. */
export function supervise(
  first: Launched,
  launch: () => Launched | Promise<Launched>,
  ask?: (proc: Launched) => void,
): Supervisor {
  let proc = first
  const killOnExit = () => {
    // Last resort when the process that started the server dies without cleaning up: never
    // leave a server behind.
    if (isRunning(proc)) proc.child.kill('SIGKILL')
  }
  process.on('exit', killOnExit)
  const supervisor: Supervisor = {
    get proc() {
      return proc
    },
    async stop() {
      await terminate(proc, ask)
      process.off('exit', killOnExit)
    },
    async kill() {
      if (isRunning(proc)) proc.child.kill('SIGKILL')
      await proc.exited
      process.off('exit', killOnExit)
    },
    async relaunch() {
      await terminate(proc, ask)
      proc = await launch()
      process.off('exit', killOnExit)
      process.on('exit', killOnExit)
      return proc
    },
    async killUnless(ready) {
      try {
        await ready
      } catch (err) {
        await supervisor.kill()
        throw err
      }
    },
  }
  return supervisor
}

export interface ReadyOptions {
  /** The server, as the errors name it. */
  name: string
  /** Where to look when the server exits during startup. */
  logs: string
  timeoutMs: number
  pollMs: number
  /** Appended to the error when the server is not ready in time. */
  hint?: string
  /** Where the ports listen. Default HOST. */
  host?: string
  /** Something else to wait for, checked on every poll until `met()`; it may throw. */
  also?: { what: string; met: () => Promise<boolean> }
}

/**
 * Polls until every one of `ports` accepts a connection, and `also` is met; fails as soon as
 * the process exits, and after `timeoutMs`.
 */
export async function waitReady(proc: Launched, ports: number[], o: ReadyOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs
  const pending = new Set(ports)
  const { also } = o
  let met = also === undefined
  while (!met || pending.size > 0) {
    if (!isRunning(proc)) {
      throw new Error(`${o.name} exited during startup (${proc.exitReason}); see ${o.logs}`)
    }
    if (Date.now() > deadline) {
      const what = !met && also ? also.what : `listen on ports ${[...pending]}`
      throw new Error(`${o.name} did not ${what} within ${o.timeoutMs} ms${o.hint ?? ''}`)
    }
    if (!met && also) met = await also.met()
    for (const port of [...pending]) if (await accepts(port, o.host ?? HOST)) pending.delete(port)
    if (!met || pending.size > 0) await sleep(o.pollMs)
  }
}

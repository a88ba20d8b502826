import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { accessSync, closeSync, constants, openSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { ServerInfo, XmppServer, XmppUser } from './types.js'

export interface StartProsodyOptions {
  /** Number of `cK.localhost` components to configure (default 16). */
  components?: number
  /** Number of `uK@localhost` users with password 'p' to register (default 16). */
  users?: number
}

const READY_TIMEOUT_MS = 15_000
const POLL_MS = 40

/**
 * Starts a throwaway Prosody on free loopback ports with its own config, data and log in a temp
 * dir. Users are registered with prosodyctl while Prosody boots (they are only read at login).
 */
export async function startProsody(opts: StartProsodyOptions = {}): Promise<XmppServer> {
  const prosody = requireExecutable('prosody')
  const prosodyctl = requireExecutable('prosodyctl')

  const dir = await serverDir('prosody')
  const configFile = join(dir, 'prosody.cfg.lua')
  const logFile = join(dir, 'prosody.log')
  const [c2sPort, componentPort] = (await freePorts(2)) as [number, number]
  const componentSecret = randomBytes(12).toString('hex')
  const { components, users } = accounts(opts)

  // Prosody complains loudly when the certificate dir is missing, even with TLS unused.
  await Promise.all([mkdir(join(dir, 'data')), mkdir(join(dir, 'certs'))])
  await writeFile(
    configFile,
    prosodyConfig({ dir, logFile, c2sPort, componentPort, componentSecret, components }),
  )

  // The first registration creates data/localhost/accounts; the rest then only add files.
  const registered = (async () => {
    const [first, ...rest] = users
    if (first) await register(prosodyctl, configFile, first)
    await Promise.all(rest.map((u) => register(prosodyctl, configFile, u)))
  })()

  const launch = () => spawnLogged(prosody, ['-F', '--config', configFile], dir, { cwd: dir })
  const supervisor = supervise(launch(), launch)
  const ready = (proc: Launched) =>
    waitReady(proc, [c2sPort, componentPort], {
      name: 'prosody',
      logs: `${dir}/stdout.log and prosody.log`,
      timeoutMs: READY_TIMEOUT_MS,
      pollMs: POLL_MS,
    })

  const server = supervisedServer(
    { kind: 'prosody', c2sPort, componentPort, componentSecret, components, users, dir, logFile },
    supervisor,
    ready,
  )
  await supervisor.killUnless(Promise.all([registered, ready(supervisor.proc)]))
  return server
}

function register(prosodyctl: string, configFile: string, user: XmppUser): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      prosodyctl,
      ['--config', configFile, 'register', user.username, DOMAIN, user.password],
      { timeout: 10_000 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `prosodyctl register ${user.username} failed: ${err.message}\n${stdout}${stderr}`,
            ),
          )
        else resolve()
      },
    )
  })
}

function luaString(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`
}

type ConfigParams = Pick<
  ServerInfo,
  'dir' | 'logFile' | 'c2sPort' | 'componentPort' | 'componentSecret' | 'components'
>

function prosodyConfig(p: ConfigParams): string {
  const s = luaString
  const loopback = `{ ${s(HOST)} }`
  return `-- Throwaway config written by test/src/servers/prosody.ts
-- Under root Prosody otherwise tries to switch to the 'prosody' user and misbehaves.
run_as_root = true
daemonize = false
pidfile = ${s(join(p.dir, 'prosody.pid'))}
data_path = ${s(join(p.dir, 'data'))}
certificates = ${s(join(p.dir, 'certs'))}

interfaces = ${loopback}
local_interfaces = ${loopback}
c2s_interfaces = ${loopback}
component_interfaces = ${loopback}
c2s_ports = { ${p.c2sPort} }
component_ports = { ${p.componentPort} }
c2s_direct_tls_ports = { }
legacy_ssl_ports = { }
s2s_ports = { }
http_ports = { }
https_ports = { }

-- Plain TCP and SASL PLAIN: SCRAM costs ~1 s per login with its iteration count.
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
storage = "internal"

-- Debug level, so tests can see e.g. the stream errors Prosody receives from components.
log = { debug = ${s(p.logFile)} }

modules_enabled = { "saslauth", "disco", "ping" }
-- No s2s: stanzas to unknown domains bounce at once instead of waiting on DNS.
-- No offline storage: a message to an absent user must not leak into a later test's login.
modules_disabled = { "s2s", "s2s_auth_certs", "dialback", "offline" }

VirtualHost ${s(DOMAIN)}

${p.components.map((c) => `Component ${s(c)}\n  component_secret = ${s(p.componentSecret)}\n`).join('\n')}`
}

function requireExecutable(name: string): string {
  const found = findExecutable(name)
  if (found) return found
  const install = 'apt-get update && apt-get install -y prosody'
  if (process.env.CI) {
    throw new Error(
      `\`${name}\` is not installed, and CI must run the integration tests against a real ` +
        `Prosody (never skipped). .ci/run installs it with: ${install}`,
    )
  }
  throw new Error(
    `\`${name}\` is not installed; the integration tests need a real Prosody. Install it with: ` +
      `${install} (as root, or with sudo)`,
  )
}

// ---- Process and port helpers, shared with ejabberd.ts ------------------------------------------
// They live here rather than in a module of their own because bench/tsconfig.json compiles this
// file, and a composite project must list every file it compiles.

export const HOST = '127.0.0.1'
export const DOMAIN = 'localhost'
const STOP_TIMEOUT_MS = 5_000

/** A fresh temp dir for one server's config, data and logs. */
export function serverDir(kind: XmppServer['kind']): Promise<string> {
  return mkdtemp(join(tmpdir(), `xmpp-errors-${kind}-`))
}

/** The `cK.localhost` components and `uK@localhost` users (password 'p'), 16 of each by default. */
export function accounts(opts: { components?: number; users?: number }): {
  components: string[]
  users: XmppUser[]
} {
  return {
    components: Array.from({ length: opts.components ?? 16 }, (_, i) => `c${i + 1}.${DOMAIN}`),
    users: Array.from({ length: opts.users ?? 16 }, (_, i) => ({
      username: `u${i + 1}`,
      password: 'p',
      jid: `u${i + 1}@${DOMAIN}`,
    })),
  }
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
 * when it fails to start survives the test runner.
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
    // Last resort when the test runner dies without teardown: never leave a server behind.
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

/**
 * The XmppServer of a supervised process: restart() relaunches the process and resolves once
 * `ready` has for the new one.
 */
export function supervisedServer<K extends XmppServer['kind']>(
  info: Omit<ServerInfo, 'kind' | 'host' | 'domain' | 'pid'> & { kind: K },
  supervisor: Supervisor,
  ready: (proc: Launched) => Promise<void>,
): XmppServer & { kind: K } {
  const server = {
    ...info,
    host: HOST,
    domain: DOMAIN,
    pid: supervisor.proc.pid,
    stop: supervisor.stop,
    kill: supervisor.kill,
    async restart() {
      const proc = await supervisor.relaunch()
      server.pid = proc.pid
      await ready(proc)
    },
  }
  return server
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
    for (const port of [...pending]) if (await accepts(port)) pending.delete(port)
    if (!met || pending.size > 0) await sleep(o.pollMs)
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Ports are held open together so that the ones returned are distinct. */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer()
          s.once('error', reject)
          s.listen(0, HOST, () => resolve(s))
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

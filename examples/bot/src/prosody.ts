import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { accessSync, closeSync, constants, existsSync, openSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'

/**
 * A throwaway Prosody for the demo: its own config, data and log in a temp dir, loopback only,
 * free ports, plain TCP with SASL PLAIN, one component. Stopped by PID, its dir removed.
 */

export const HOST = '127.0.0.1'
export const DOMAIN = 'localhost'
const READY_TIMEOUT_MS = 15_000
const STOP_TIMEOUT_MS = 5_000

export interface ProsodyAccount {
  username: string
  password: string
}

export interface ProsodyOptions {
  /** Accounts registered on `localhost`. */
  users: readonly ProsodyAccount[]
  /** The component domain, e.g. `bot.localhost`. */
  component: string
}

export interface Prosody {
  host: string
  domain: string
  c2sPort: number
  componentPort: number
  component: string
  componentSecret: string
  pid: number
  dir: string
  logFile: string
  /** SIGTERM by PID (SIGKILL after 5 s), then the temp dir is removed. */
  stop(): Promise<void>
}

export class ProsodyMissing extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProsodyMissing'
  }
}

function findExecutable(name: string): string | undefined {
  // /usr/sbin and /usr/bin are not on every PATH.
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin']
  for (const dir of dirs) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return undefined
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<void>((resolve, reject) => {
    // The installer's output goes to stderr, so that --json keeps stdout clean.
    const child = spawn(command, args, { stdio: ['ignore', 2, 2], env })
    child.once('error', reject)
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`)),
    )
  })
}

/**
 * Finds `prosody` and `prosodyctl`; when missing, installs Debian's package as root (no system
 * daemon is started: a policy-rc.d denies it while installing), or says what to run.
 */
export async function ensureProsody(
  note: (line: string) => void,
): Promise<{ prosody: string; prosodyctl: string }> {
  let prosody = findExecutable('prosody')
  let prosodyctl = findExecutable('prosodyctl')
  if (prosody && prosodyctl) return { prosody, prosodyctl }
  const command = 'apt-get update && apt-get install -y prosody'
  if (process.getuid?.() !== 0 || !findExecutable('apt-get')) {
    throw new ProsodyMissing(
      `Prosody is not installed, and the demo needs it (or an XMPP server of yours: see DEMO_* in examples/bot/README.md). Install it with:\n  sudo sh -c '${command}'`,
    )
  }
  note(`Prosody is not installed; installing it: ${command}`)
  const policy = '/usr/sbin/policy-rc.d'
  const ownPolicy = !existsSync(policy)
  if (ownPolicy) {
    await writeFile(policy, '#!/bin/sh\nexit 101\n')
    await chmod(policy, 0o755)
  }
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    await run('apt-get', ['update'], env)
    await run('apt-get', ['install', '-y', 'prosody'], env)
  } finally {
    if (ownPolicy) await rm(policy, { force: true })
  }
  prosody = findExecutable('prosody')
  prosodyctl = findExecutable('prosodyctl')
  if (!prosody || !prosodyctl)
    throw new ProsodyMissing('apt-get installed prosody, yet it is not on PATH')
  return { prosody, prosodyctl }
}

/** Ports are held open together so that the ones returned are distinct. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, HOST, () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((server) => {
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no TCP address')
    return address.port
  })
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  return ports
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

function lua(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`
}

function config(p: {
  dir: string
  logFile: string
  c2sPort: number
  componentPort: number
  component: string
  secret: string
}): string {
  const loopback = `{ ${lua(HOST)} }`
  return `-- Throwaway config written by the xmpp-errors demo (examples/bot/src/prosody.ts).
-- As root, Prosody would otherwise try to switch to the 'prosody' user and hang.
run_as_root = true
daemonize = false
pidfile = ${lua(join(p.dir, 'prosody.pid'))}
data_path = ${lua(join(p.dir, 'data'))}
certificates = ${lua(join(p.dir, 'certs'))}

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

-- Loopback only: plain TCP and SASL PLAIN (SCRAM costs about a second per login).
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
storage = "internal"

log = { debug = ${lua(p.logFile)} }

modules_enabled = { "saslauth", "disco", "ping" }
modules_disabled = { "s2s", "s2s_auth_certs", "dialback", "offline" }

VirtualHost ${lua(DOMAIN)}

Component ${lua(p.component)}
  component_secret = ${lua(p.secret)}
`
}

function register(prosodyctl: string, configFile: string, user: ProsodyAccount): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      prosodyctl,
      ['--config', configFile, 'register', user.username, DOMAIN, user.password],
      { timeout: 10_000 },
      (error, stdout, stderr) =>
        error
          ? reject(
              new Error(
                `prosodyctl register ${user.username} failed: ${error.message}\n${stdout}${stderr}`,
              ),
            )
          : resolve(),
    )
  })
}

/** Starts Prosody and registers the users (in parallel, while it boots). */
export async function startProsody(
  options: ProsodyOptions,
  note: (line: string) => void = () => {},
): Promise<Prosody> {
  const { prosody, prosodyctl } = await ensureProsody(note)
  const dir = await mkdtemp(join(tmpdir(), 'xmpp-errors-demo-'))
  const configFile = join(dir, 'prosody.cfg.lua')
  const logFile = join(dir, 'prosody.log')
  const [c2sPort, componentPort] = (await freePorts(2)) as [number, number]
  const secret = randomBytes(12).toString('hex')
  await Promise.all([mkdir(join(dir, 'data')), mkdir(join(dir, 'certs'))])
  await writeFile(
    configFile,
    config({ dir, logFile, c2sPort, componentPort, component: options.component, secret }),
  )

  // The first registration creates the accounts store; the others then only add files.
  const registered = (async () => {
    const [first, ...rest] = options.users
    if (first) await register(prosodyctl, configFile, first)
    await Promise.all(rest.map((user) => register(prosodyctl, configFile, user)))
  })()

  const out = openSync(join(dir, 'stdout.log'), 'a')
  const child: ChildProcess = spawn(prosody, ['-F', '--config', configFile], {
    cwd: dir,
    stdio: ['ignore', out, out],
  })
  closeSync(out)
  const pid = child.pid
  let exitReason: string | undefined
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitReason = signal ? `signal ${signal}` : `exit code ${code}`
      resolve()
    })
    child.once('error', (error) => {
      exitReason = error.message
      resolve()
    })
  })
  // Last resort if the demo dies without cleaning up: never leave a server behind.
  const killOnExit = () => {
    if (exitReason === undefined) child.kill('SIGKILL')
  }
  process.on('exit', killOnExit)

  const stop = async () => {
    if (exitReason === undefined) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
      await exited
      clearTimeout(timer)
    }
    process.off('exit', killOnExit)
    if (!process.env.DEMO_KEEP_SERVER_DIR) await rm(dir, { recursive: true, force: true })
  }

  try {
    if (pid === undefined) throw new Error(`could not start ${prosody}`)
    const deadline = Date.now() + READY_TIMEOUT_MS
    const waiting = new Set([c2sPort, componentPort])
    const ready = (async () => {
      while (waiting.size > 0) {
        if (exitReason !== undefined) {
          throw new Error(`prosody exited while starting (${exitReason}); see ${dir}/stdout.log`)
        }
        if (Date.now() > deadline)
          throw new Error(`prosody did not listen within ${READY_TIMEOUT_MS} ms`)
        for (const port of [...waiting]) if (await accepts(port)) waiting.delete(port)
        if (waiting.size > 0) await new Promise((resolve) => setTimeout(resolve, 40))
      }
    })()
    await Promise.all([registered, ready])
  } catch (error) {
    await stop()
    throw error
  }

  return {
    host: HOST,
    domain: DOMAIN,
    c2sPort,
    componentPort,
    component: options.component,
    componentSecret: secret,
    pid,
    dir,
    logFile,
    stop,
  }
}

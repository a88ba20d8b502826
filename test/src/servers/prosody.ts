import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { accessSync, closeSync, constants, openSync } from 'node:fs'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { XmppServer, XmppUser } from './types.js'

export interface StartProsodyOptions {
  /** Number of `cK.localhost` components to configure (default 16). */
  components?: number
  /** Number of `uK@localhost` users with password 'p' to register (default 16). */
  users?: number
}

const HOST = '127.0.0.1'
const DOMAIN = 'localhost'
const READY_TIMEOUT_MS = 15_000
const STOP_TIMEOUT_MS = 5_000
const POLL_MS = 40

/**
 * Starts a throwaway Prosody on free loopback ports with its own config, data and log in a temp
 * dir. Users are registered with prosodyctl while Prosody boots (they are only read at login).
 */
export async function startProsody(opts: StartProsodyOptions = {}): Promise<XmppServer> {
  const prosody = requireExecutable('prosody')
  const prosodyctl = requireExecutable('prosodyctl')

  const dir = await mkdtemp(join(tmpdir(), 'xmpp-errors-prosody-'))
  const configFile = join(dir, 'prosody.cfg.lua')
  const logFile = join(dir, 'prosody.log')
  const [c2sPort, componentPort] = (await freePorts(2)) as [number, number]
  const componentSecret = randomBytes(12).toString('hex')
  const components = Array.from({ length: opts.components ?? 16 }, (_, i) => `c${i + 1}.${DOMAIN}`)
  const users: XmppUser[] = Array.from({ length: opts.users ?? 16 }, (_, i) => ({
    username: `u${i + 1}`,
    password: 'p',
    jid: `u${i + 1}@${DOMAIN}`,
  }))

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

  let proc = launch(prosody, configFile, dir)
  const killOnExit = () => {
    // Last resort when the test runner dies without teardown: never leave a server behind.
    if (isRunning(proc)) proc.child.kill('SIGKILL')
  }
  process.on('exit', killOnExit)

  const server: XmppServer = {
    kind: 'prosody',
    host: HOST,
    domain: DOMAIN,
    c2sPort,
    componentPort,
    componentSecret,
    components,
    users,
    pid: proc.pid,
    dir,
    logFile,
    async stop() {
      await terminate(proc)
      process.off('exit', killOnExit)
    },
    async kill() {
      if (isRunning(proc)) proc.child.kill('SIGKILL')
      await proc.exited
      process.off('exit', killOnExit)
    },
    async restart() {
      await terminate(proc)
      proc = launch(prosody, configFile, dir)
      server.pid = proc.pid
      process.off('exit', killOnExit)
      process.on('exit', killOnExit)
      await waitReady(proc, [c2sPort, componentPort], dir)
    },
  }

  try {
    await Promise.all([registered, waitReady(proc, [c2sPort, componentPort], dir)])
  } catch (err) {
    await server.kill()
    throw err
  }
  return server
}

interface Launched {
  child: ChildProcess
  pid: number
  /** Resolves once the process has exited, never rejects. */
  exited: Promise<void>
  exitReason: string | undefined
}

function launch(prosody: string, configFile: string, dir: string): Launched {
  // Prosody's own output (startup failures) goes to a file so it survives the test runner.
  const out = openSync(join(dir, 'stdout.log'), 'a')
  const child = spawn(prosody, ['-F', '--config', configFile], {
    cwd: dir,
    detached: false,
    stdio: ['ignore', out, out],
  })
  closeSync(out)
  if (child.pid === undefined) throw new Error(`could not start ${prosody}`)
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

async function terminate(proc: Launched): Promise<void> {
  if (!isRunning(proc)) return
  proc.child.kill('SIGTERM')
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await proc.exited
  clearTimeout(timer)
}

async function waitReady(proc: Launched, ports: number[], dir: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  const pending = new Set(ports)
  while (pending.size > 0) {
    if (!isRunning(proc)) {
      throw new Error(
        `prosody exited during startup (${proc.exitReason}); see ${dir}/stdout.log and prosody.log`,
      )
    }
    if (Date.now() > deadline) {
      throw new Error(
        `prosody did not listen on ports ${[...pending]} within ${READY_TIMEOUT_MS} ms`,
      )
    }
    for (const port of [...pending]) if (await accepts(port)) pending.delete(port)
    if (pending.size > 0) await new Promise((r) => setTimeout(r, POLL_MS))
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
async function freePorts(n: number): Promise<number[]> {
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

interface ConfigParams {
  dir: string
  logFile: string
  c2sPort: number
  componentPort: number
  componentSecret: string
  components: string[]
}

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

function findExecutable(name: string): string | undefined {
  // /usr/sbin and /usr/bin are not on every non-root PATH.
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

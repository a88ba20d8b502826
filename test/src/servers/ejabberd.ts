import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import type { XmppServer, XmppUser } from './types.js'

export interface StartEjabberdOptions {
  /** Number of `cK.localhost` components to configure (default 16). */
  components?: number
  /** Number of `uK@localhost` users with password 'p' to register (default 16). */
  users?: number
}

/** An ejabberd started here: an XmppServer plus what `ctl()` needs to reach the Erlang node. */
export interface EjabberdServer extends XmppServer {
  kind: 'ejabberd'
  /** Erlang node name, e.g. 'xmpperrors_1a2b3c@localhost' */
  node: string
  /** Erlang distribution port (ERL_DIST_PORT: no epmd involved) */
  distPort: number
  /** Runs an ejabberdctl command (e.g. `ctl('registered_users', 'localhost')`) against this node. */
  ctl(...args: string[]): Promise<string>
}

const HOST = '127.0.0.1'
const DOMAIN = 'localhost'
const INSTALL = 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ejabberd'
const READY_TIMEOUT_MS = 20_000
const STOP_TIMEOUT_MS = 5_000
const POLL_MS = 25

/**
 * Starts a throwaway ejabberd (Debian's 23.01) on free loopback ports, with its own config, Mnesia
 * spool, logs, node name and cookie in a temp dir. The Erlang VM is spawned directly (no
 * ejabberdctl, which would `su` to the ejabberd user), with ERL_DIST_PORT semantics so no epmd is
 * started. Users are registered inside the server VM right after ejabberd has started.
 */
export async function startEjabberd(opts: StartEjabberdOptions = {}): Promise<EjabberdServer> {
  const install = findInstall()

  const dir = await mkdtemp(join(tmpdir(), 'xmpp-errors-ejabberd-'))
  const configFile = join(dir, 'ejabberd.yml')
  const spoolDir = join(dir, 'db')
  const logDir = join(dir, 'log')
  const logFile = join(logDir, 'ejabberd.log')
  const [c2sPort, componentPort, distPort] = (await freePorts(3)) as [number, number, number]
  const componentSecret = randomBytes(12).toString('hex')
  const cookie = randomBytes(16).toString('hex')
  const node = `xmpperrors_${randomBytes(4).toString('hex')}@localhost`
  const components = Array.from({ length: opts.components ?? 16 }, (_, i) => `c${i + 1}.${DOMAIN}`)
  const users: XmppUser[] = Array.from({ length: opts.users ?? 16 }, (_, i) => ({
    username: `u${i + 1}`,
    password: 'p',
    jid: `u${i + 1}@${DOMAIN}`,
  }))

  await Promise.all([mkdir(spoolDir), mkdir(logDir)])
  await writeFile(
    configFile,
    ejabberdConfig({ c2sPort, componentPort, componentSecret, components }),
  )

  const params: LaunchParams = {
    install,
    dir,
    configFile,
    spoolDir,
    logDir,
    logFile,
    node,
    cookie,
    distPort,
    users,
  }

  let proc = await launch(params)
  const killOnExit = () => {
    // Last resort when the test runner dies without teardown: never leave a server behind.
    if (isRunning(proc)) proc.child.kill('SIGKILL')
  }
  process.on('exit', killOnExit)

  const server: EjabberdServer = {
    kind: 'ejabberd',
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
    node,
    distPort,
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
      proc = await launch(params)
      server.pid = proc.pid
      process.off('exit', killOnExit)
      process.on('exit', killOnExit)
      try {
        await waitReady(proc, [c2sPort, componentPort], dir)
      } catch (err) {
        await server.kill()
        throw err
      }
    },
    ctl(...args: string[]) {
      return ctl(params, args)
    },
  }

  try {
    await waitReady(proc, [c2sPort, componentPort], dir)
  } catch (err) {
    await server.kill()
    throw err
  }
  return server
}

interface Install {
  erl: string
  /** Where the ejabberd-X.Y OTP application lives, as ejabberdctl sets it. */
  erlLibs: string
}

interface LaunchParams {
  install: Install
  dir: string
  configFile: string
  spoolDir: string
  logDir: string
  logFile: string
  node: string
  cookie: string
  distPort: number
  users: XmppUser[]
}

interface Launched {
  child: ChildProcess
  /** beam.smp's PID: erl and erlexec exec() into it. */
  pid: number
  /** Resolves once the process has exited, never rejects. */
  exited: Promise<void>
  exitReason: string | undefined
  readyFile: string
}

/** The flags `ejabberdctl foreground-quiet` would pass, plus the ERL_DIST_PORT ones. */
function erlArgs(p: LaunchParams): string[] {
  return [
    '-sname',
    p.node,
    '-setcookie',
    p.cookie,
    // ERL_DIST_PORT: listen for distribution on a fixed port instead of registering with epmd.
    '-erl_epmd_port',
    String(p.distPort),
    '-start_epmd',
    'false',
    '-kernel',
    'inet_dist_use_interface',
    '{127,0,0,1}',
    '+K',
    'true',
    '+P',
    '250000',
    '-env',
    'ERL_CRASH_DUMP_BYTES',
    '0',
  ]
}

function erlEnv(p: LaunchParams): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // erl reads ~/.erlang.cookie and writes .erlang.cookie / .erlang history there if needed.
    HOME: p.dir,
    ERL_LIBS: p.install.erlLibs,
    EJABBERD_CONFIG_PATH: p.configFile,
    EJABBERD_LOG_PATH: p.logFile,
    ERL_CRASH_DUMP: join(p.logDir, 'erl_crash.dump'),
    ERL_MAX_PORTS: '32000',
  }
}

async function launch(p: LaunchParams): Promise<Launched> {
  const readyFile = join(p.dir, 'ready')
  await rm(readyFile, { force: true })
  // Runs after `-s ejabberd`, i.e. once application:ensure_all_started(ejabberd) has returned:
  // registers the users in this VM (no extra ejabberdctl VM per user) and then drops a marker.
  const names = p.users.map((u) => `{${erlBinary(u.username)}, ${erlBinary(u.password)}}`)
  // Before that, a watcher: EOF on stdin (stop(), or the test runner dying) stops ejabberd and
  // halts at once; init:stop(), which SIGTERM runs, spends another second on nothing.
  const evalScript = `
    spawn(fun() ->
      In = open_port({fd, 0, 1}, [in, binary, eof]),
      Wait = fun W() -> receive {In, {data, _}} -> W(); {In, eof} -> ok end end,
      Wait(),
      application:stop(ejabberd),
      mnesia:stop(),
      ejabberd_logger:flush(),
      erlang:halt(0)
    end),
    Rs = [ejabberd_auth:try_register(U, ${erlBinary(DOMAIN)}, P) || {U, P} <- [${names.join(', ')}]],
    Bad = [R || R <- Rs, R =/= ok, R =/= {error, exists}],
    Out = case Bad of [] -> <<"ok">>; _ -> io_lib:format("~p", [Bad]) end,
    ok = file:write_file(${erlString(readyFile)}, Out).`
  // Console output is 'critical' only (ejabberd quiet mode); the debug log goes to logFile.
  const out = openSync(join(p.dir, 'stdout.log'), 'a')
  const child = spawn(
    p.install.erl,
    [
      ...erlArgs(p),
      '-mnesia',
      'dir',
      erlString(p.spoolDir),
      '-ejabberd',
      'quiet',
      'true',
      // ejabberdctl passes these from ejabberd.yml: the logger starts before the config loads.
      // No rotation and no burst limit (default 500 lines/s), so tests can grep the whole log.
      'log_rotate_size',
      'infinity',
      'log_burst_limit_count',
      '1000000',
      '-s',
      'ejabberd',
      '-noinput',
      '-eval',
      evalScript,
    ],
    { cwd: p.spoolDir, env: erlEnv(p), stdio: ['pipe', out, out] },
  )
  closeSync(out)
  // EPIPE when ending stdin of a VM that is already gone is no news.
  child.stdin?.on('error', () => {})
  if (child.pid === undefined) throw new Error(`could not start ${p.install.erl}`)
  const launched: Launched = {
    child,
    pid: child.pid,
    exitReason: undefined,
    readyFile,
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

/** Like `ejabberdctl --node NODE ARGS...` with ERL_DIST_PORT set, as the current user. */
function ctl(p: LaunchParams, args: string[]): Promise<string> {
  const ctlNode = `ctl_${randomBytes(4).toString('hex')}@localhost`
  const argv = [
    ...erlArgs({ ...p, node: ctlNode }),
    // A client node: it connects to distPort but does not listen itself.
    '-dist_listen',
    'false',
    '-hidden',
    '-noinput',
    '-s',
    'ejabberd_ctl',
    '-extra',
    p.node,
    ...args,
  ]
  return new Promise((resolve, reject) => {
    const opts = { cwd: p.dir, env: erlEnv(p), timeout: 30_000 }
    execFile(p.install.erl, argv, opts, (err, stdout, stderr) => {
      if (!err) return resolve(stdout)
      const what = `ejabberdctl ${args.join(' ')}`
      reject(new Error(`${what} failed: ${err.message}\n${stdout}${stderr}`))
    })
  })
}

function isRunning(proc: Launched): boolean {
  return proc.exitReason === undefined && proc.child.exitCode === null && !proc.child.signalCode
}

/**
 * Closing stdin makes the watcher stop ejabberd cleanly (its streams closed, Mnesia flushed) and
 * halt, in some 20 ms. SIGTERM (init:stop(), as clean but ~1 s) and SIGKILL are the fallbacks.
 */
async function terminate(proc: Launched): Promise<void> {
  if (!isRunning(proc)) return
  proc.child.stdin?.end()
  const term = setTimeout(() => proc.child.kill('SIGTERM'), STOP_TIMEOUT_MS / 2)
  const kill = setTimeout(() => proc.child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await proc.exited
  clearTimeout(term)
  clearTimeout(kill)
}

async function waitReady(proc: Launched, ports: number[], dir: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  const pending = new Set(ports)
  let registered = false
  while (!registered || pending.size > 0) {
    if (!isRunning(proc)) {
      throw new Error(
        `ejabberd exited during startup (${proc.exitReason}); see ${dir}/stdout.log and ` +
          `${dir}/log/ejabberd.log`,
      )
    }
    if (Date.now() > deadline) {
      const what = registered ? `listen on ports ${[...pending]}` : 'register its users'
      throw new Error(`ejabberd did not ${what} within ${READY_TIMEOUT_MS} ms; see ${dir}/log`)
    }
    if (!registered) {
      // Empty while file:write_file/2 has created but not yet written it.
      const marker = await readFile(proc.readyFile, 'utf8').catch(() => '')
      if (marker && marker !== 'ok') {
        throw new Error(`ejabberd could not register the test users: ${marker}`)
      }
      registered = marker === 'ok'
    }
    // The listeners start accepting asynchronously, just after the application has started.
    for (const port of [...pending]) if (await accepts(port)) pending.delete(port)
    if (!registered || pending.size > 0) await new Promise((r) => setTimeout(r, POLL_MS))
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

/** An Erlang string literal (a charlist). */
function erlString(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`
}

/** An Erlang UTF-8 binary literal. */
function erlBinary(s: string): string {
  return `<<${erlString(s)}/utf8>>`
}

/** A YAML double-quoted scalar (JSON's string syntax is a subset of YAML's). */
function yamlString(s: string): string {
  return JSON.stringify(s)
}

interface ConfigParams {
  c2sPort: number
  componentPort: number
  componentSecret: string
  components: string[]
}

function ejabberdConfig(p: ConfigParams): string {
  const y = yamlString
  const services = p.components
    .map((c) => `      ${y(c)}:\n        password: ${y(p.componentSecret)}`)
    .join('\n')
  return `# Throwaway config written by test/src/servers/ejabberd.ts
hosts:
  - ${y(DOMAIN)}

# Debug level, so tests can see e.g. the stream errors ejabberd receives from components.
loglevel: debug
hide_sensitive_log_data: false

# Plain TCP and SASL PLAIN: no certificate, no STARTTLS offered. Passwords stored in plain text
# so PLAIN (and SCRAM, if a client insists) work.
auth_method: [internal]
auth_password_format: plain

# No s2s: a stanza for an unknown (or offline component) domain bounces at once with 'forbidden'
# instead of a DNS lookup off the machine and, later, remote-server-not-found.
s2s_access: none

listen:
  -
    port: ${p.c2sPort}
    ip: ${y(HOST)}
    module: ejabberd_c2s
    starttls: false
    starttls_required: false
    backlog: 128
  -
    port: ${p.componentPort}
    ip: ${y(HOST)}
    module: ejabberd_service
    backlog: 128
    # By default a component registers routes for every domain under 'hosts' that it could log
    # in as, so c2 would also receive c1's stanzas: one route per connection, as in Prosody.
    global_routes: false
    hosts:
${services}

# Only modules that need no network. No mod_offline (a message to an absent user must not leak
# into a later test's login), no mod_stream_mgmt (a dropped client must go offline at once).
modules:
  mod_disco: {}
  mod_ping: {}
`
}

function findInstall(): Install {
  const erl = findExecutable('erl')
  const ejabberdctl = findExecutable('ejabberdctl')
  if (!erl || !ejabberdctl) {
    if (process.env.CI) {
      throw new Error(
        'ejabberd is not installed, and CI must run the ejabberd integration tests against a ' +
          `real ejabberd when XMPP_SERVERS includes 'ejabberd'. Install it with: ${INSTALL}`,
      )
    }
    throw new Error(
      'ejabberd is not installed; the ejabberd integration tests need a real ejabberd. ' +
        `Install it with: ${INSTALL} (as root, or with sudo)`,
    )
  }
  // Debian's ejabberdctl sets ERL_LIBS='/usr/lib/<multiarch>' where ejabberd-23.01 lives.
  const script = readFileSync(ejabberdctl, 'utf8')
  const erlLibs = /^ERL_LIBS=['"]?([^'"\n]+)['"]?$/m.exec(script)?.[1]
  if (!erlLibs) throw new Error(`cannot find ERL_LIBS in ${ejabberdctl}`)
  return { erl, erlLibs }
}

function findExecutable(name: string): string | undefined {
  // /usr/sbin (ejabberdctl) is not on every non-root PATH.
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

import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  DOMAIN,
  findExecutable,
  freePorts,
  HOST,
  type Launched,
  serverDir,
  spawnLogged,
  supervise,
  waitReady,
} from './process.js'
import {
  accounts,
  type ComponentListener,
  type ServerInfo,
  supervisedServer,
  type XmppServer,
  type XmppUser,
} from './server.js'
import { installCommand } from './system-packages.js'

export interface StartEjabberdOptions {
  /** Number of `cK.localhost` components to configure (default 32). */
  components?: number
  /** Number of `uK@localhost` users with password 'p' to register (default 32). */
  users?: number
  /**
   * The loopback address to listen on, for the XMPP ports and Erlang distribution (default
   * 127.0.0.1). Given explicitly, the node gets a long name (`name@address`), so that two nodes
   * on two loopback addresses can share one `distPort` and form a cluster.
   */
  address?: string
  /** The Erlang distribution port (default: a free one). A cluster's nodes share one. */
  distPort?: number
  /** The Erlang cookie (default: a random one). A cluster's nodes share one. */
  cookie?: string
  /** ejabberd's `domain_balancing` option: how stanzas for a domain pick one of its connections. */
  domainBalancing?: Record<string, DomainBalancing>
  /**
   * ejabberd's `loglevel` (default `debug`, so tests can grep what it saw). A measurement wants
   * `info`: at debug, ejabberd logs every stanza it routes.
   */
  logLevel?: 'debug' | 'info' | 'notice' | 'warning' | 'error'
}

/** One domain's entry under ejabberd's `domain_balancing`. */
export interface DomainBalancing {
  type?: 'random' | 'source' | 'destination' | 'bare_source' | 'bare_destination'
  component_number?: number
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

const INSTALL = installCommand(['ejabberd'])
const READY_TIMEOUT_MS = 20_000
const POLL_MS = 25

/**
 * Starts a throwaway ejabberd (Debian's 23.01) on free loopback ports, with its own config, Mnesia
 * spool, logs, node name and cookie in a temp dir. The Erlang VM is spawned directly (no
 * ejabberdctl, which would `su` to the ejabberd user), with ERL_DIST_PORT semantics so no epmd is
 * started. Users are registered inside the server VM right after ejabberd has started.
 */
export async function startEjabberd(opts: StartEjabberdOptions = {}): Promise<EjabberdServer> {
  const install = findInstall()

  const dir = await serverDir('ejabberd')
  const configFile = join(dir, 'ejabberd.yml')
  const spoolDir = join(dir, 'db')
  const logDir = join(dir, 'log')
  const logFile = join(logDir, 'ejabberd.log')
  const address = opts.address ?? HOST
  const [c2sPort, componentPort, freeDistPort] = (await freePorts(3, address)) as [
    number,
    number,
    number,
  ]
  const distPort = opts.distPort ?? freeDistPort
  const componentSecret = randomBytes(12).toString('hex')
  const cookie = opts.cookie ?? randomBytes(16).toString('hex')
  const longNames = opts.address !== undefined
  const node = `xmpperrors_${randomBytes(4).toString('hex')}@${longNames ? address : 'localhost'}`
  const { components, users } = accounts(opts)

  await Promise.all([mkdir(spoolDir), mkdir(logDir)])
  await writeFile(
    configFile,
    ejabberdConfig({
      c2sPort,
      componentPort,
      componentSecret,
      components,
      address,
      domainBalancing: opts.domainBalancing ?? {},
      logLevel: opts.logLevel ?? 'debug',
    }),
  )

  const params: LaunchParams = {
    install,
    dir,
    configFile,
    spoolDir,
    logDir,
    logFile,
    readyFile: join(dir, 'ready'),
    node,
    address,
    longNames,
    cookie,
    distPort,
    users,
  }

  const supervisor = supervise(await launch(params), () => launch(params), closeStdin)
  // The users are registered once ejabberd has started; its listeners start accepting
  // asynchronously, just after that.
  const ready = (proc: Launched) =>
    waitReady(proc, [c2sPort, componentPort], {
      name: 'ejabberd',
      host: address,
      logs: `${dir}/stdout.log and ${dir}/log/ejabberd.log`,
      hint: `; see ${dir}/log`,
      timeoutMs: READY_TIMEOUT_MS,
      pollMs: POLL_MS,
      also: { what: 'register its users', met: () => usersRegistered(params.readyFile) },
    })

  const server: EjabberdServer = Object.assign(
    supervisedServer(
      {
        kind: 'ejabberd',
        c2sPort,
        componentPort,
        componentSecret,
        components,
        users,
        dir,
        logFile,
      },
      supervisor,
      (proc) => supervisor.killUnless(ready(proc)),
    ),
    {
      host: address,
      node,
      distPort,
      ctl(...args: string[]) {
        return ctl(params, args)
      },
    },
  )

  await supervisor.killUnless(ready(supervisor.proc))
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
  /** Written by the server once it has registered the users: 'ok', or what went wrong. */
  readyFile: string
  node: string
  /** Where it listens, XMPP and Erlang distribution alike. */
  address: string
  /** `-name` rather than `-sname`: the node's host is its address. */
  longNames: boolean
  cookie: string
  distPort: number
  users: XmppUser[]
}

/** The flags `ejabberdctl foreground-quiet` would pass, plus the ERL_DIST_PORT ones. */
function erlArgs(p: LaunchParams): string[] {
  return [
    p.longNames ? '-name' : '-sname',
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
    `{${p.address.split('.').join(',')}}`,
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

/** Its PID is beam.smp's: erl and erlexec exec() into it. */
async function launch(p: LaunchParams): Promise<Launched> {
  await rm(p.readyFile, { force: true })
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
    ok = file:write_file(${erlString(p.readyFile)}, Out).`
  // Console output is 'critical' only (ejabberd quiet mode); the debug log goes to logFile.
  const launched = spawnLogged(
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
    p.dir,
    { cwd: p.spoolDir, env: erlEnv(p), stdin: 'pipe' },
  )
  // EPIPE when ending stdin of a VM that is already gone is no news.
  launched.child.stdin?.on('error', () => {})
  return launched
}

/** Like `ejabberdctl --node NODE ARGS...` with ERL_DIST_PORT set, as the current user. */
function ctl(p: LaunchParams, args: string[]): Promise<string> {
  const ctlNode = `ctl_${randomBytes(4).toString('hex')}@${p.longNames ? p.address : 'localhost'}`
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

/**
 * How stop() asks ejabberd to exit. Closing stdin makes the watcher stop ejabberd cleanly (its
 * streams closed, Mnesia flushed) and halt, in some 20 ms. SIGTERM (init:stop(), as clean but
 * ~1 s) and SIGKILL are the fallbacks.
 */
function closeStdin(proc: Launched): void {
  proc.child.stdin?.end()
}

/** Whether the server has registered the users, as its eval script reports in `readyFile`. */
async function usersRegistered(readyFile: string): Promise<boolean> {
  // Empty while file:write_file/2 has created but not yet written it.
  const marker = await readFile(readyFile, 'utf8').catch(() => '')
  if (marker && marker !== 'ok') {
    throw new Error(`ejabberd could not register the test users: ${marker}`)
  }
  return marker === 'ok'
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

type ConfigParams = Pick<
  ServerInfo,
  'c2sPort' | 'componentPort' | 'componentSecret' | 'components'
> & {
  address: string
  domainBalancing: Record<string, DomainBalancing>
  logLevel: NonNullable<StartEjabberdOptions['logLevel']>
}

/**
 * The `listen` entry that lets components in to ejabberd, with each domain's password. The
 * README's quick start shows what it writes for its example (test/repo checks it), and every
 * throwaway ejabberd is configured with it; `extra` adds options to the entry.
 */
export function ejabberdComponents(l: ComponentListener, extra: readonly string[] = []): string {
  const y = yamlString
  const hosts = Object.entries(l.secrets).map(
    ([domain, secret]) => `      ${y(domain)}:\n        password: ${y(secret)}`,
  )
  return `  - port: ${l.port}
    ip: ${y(l.address)}
    module: ejabberd_service
${extra.map((line) => `    ${line}\n`).join('')}    hosts:
${hosts.join('\n')}
`
}

function ejabberdConfig(p: ConfigParams): string {
  const y = yamlString
  const services = ejabberdComponents(
    {
      address: p.address,
      port: p.componentPort,
      secrets: Object.fromEntries(p.components.map((c) => [c, p.componentSecret])),
    },
    [
      'backlog: 128',
      "# By default a component registers routes for every domain under 'hosts' that it could log",
      "# in as, so c2 would also receive c1's stanzas: one route per connection, as in Prosody.",
      'global_routes: false',
    ],
  )
  const balancing = Object.entries(p.domainBalancing).map(([domain, options]) => {
    const fields = Object.entries(options).map(
      ([key, value]) => `    ${key}: ${typeof value === 'number' ? value : y(String(value))}`,
    )
    return `  ${y(domain)}:\n${fields.join('\n')}`
  })
  const domainBalancing =
    balancing.length > 0 ? `\ndomain_balancing:\n${balancing.join('\n')}\n` : ''
  return `# Throwaway config written by @xmpp-errors/throwaway-servers (tools/servers/src/ejabberd.ts)
hosts:
  - ${y(DOMAIN)}

# Debug level by default, so tests can see e.g. the stream errors ejabberd receives from components.
loglevel: ${p.logLevel}
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
    ip: ${y(p.address)}
    module: ejabberd_c2s
    starttls: false
    starttls_required: false
    backlog: 128
${services}
# Only modules that need no network. No mod_offline (a message to an absent user must not leak
# into a later test's login), no mod_stream_mgmt (a dropped client must go offline at once).
modules:
  mod_disco: {}
  mod_ping: {}
  # Without it, ejabberd does not route a user's subscription requests at all.
  mod_roster: {}
  mod_muc:
    hosts:
      - ${y(`rooms.${DOMAIN}`)}
${domainBalancing}`
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

import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  DOMAIN,
  findExecutable,
  freePorts,
  HOST,
  type Launched,
  type Supervisor,
  serverDir,
  spawnLogged,
  supervise,
  waitReady,
} from './process.js'
import { accounts, type ComponentListener, supervisedServer, type XmppServer } from './server.js'
import { ensurePackages, installCommand, MissingPackages } from './system-packages.js'

/** What installs Prosody on Debian and Ubuntu, as root. */
export const PROSODY_INSTALL = installCommand(['prosody'])

const READY_TIMEOUT_MS = 15_000
const POLL_MS = 40

/** Prosody is not installed, and ensureProsody() did not install it. */
export class ProsodyMissing extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProsodyMissing'
  }
}

export interface ProsodyExecutables {
  prosody: string
  prosodyctl: string
}

export interface EnsureProsodyOptions {
  /**
   * When Prosody is missing and this process is root with apt-get, install Debian's package
   * (default false).
   */
  install?: boolean
  /** Told when the package is being installed. */
  note?: (line: string) => void
  /**
   * The error thrown when `name` (the first executable missing) is missing and is not installed
   * here; `command` installs it, as root. Default: a ProsodyMissing that says so.
   */
  missing?: (name: 'prosody' | 'prosodyctl', command: string) => Error
}

/**
 * Finds `prosody` and `prosodyctl`. When one is missing: with `install`, as root and with
 * apt-get, installs Debian's package (no system daemon is started: a policy-rc.d denies it while
 * installing); otherwise throws `missing()`.
 */
export async function ensureProsody(o: EnsureProsodyOptions = {}): Promise<ProsodyExecutables> {
  const found = findProsody()
  if (!('missing' in found)) return found
  const { install = false, note = () => {}, missing = missingError } = o
  try {
    await ensurePackages(['prosody'], { note, install })
  } catch (error) {
    // Not asked to install, not root, or no apt-get: the caller's message says what to run.
    if (error instanceof MissingPackages && !error.attempted) {
      throw missing(found.missing, PROSODY_INSTALL)
    }
    throw error
  }
  const installed = findProsody()
  if ('missing' in installed) {
    throw new ProsodyMissing('apt-get installed prosody, yet it is not on PATH')
  }
  return installed
}

function findProsody(): ProsodyExecutables | { missing: 'prosody' | 'prosodyctl' } {
  const prosody = findExecutable('prosody')
  if (!prosody) return { missing: 'prosody' }
  const prosodyctl = findExecutable('prosodyctl')
  if (!prosodyctl) return { missing: 'prosodyctl' }
  return { prosody, prosodyctl }
}

function missingError(name: string, command: string): Error {
  return new ProsodyMissing(
    `\`${name}\` is not installed. Install it with: ${command} (as root, or with sudo)`,
  )
}

export interface ProsodyAccount {
  username: string
  password: string
}

export interface LaunchProsodyOptions {
  /** From ensureProsody(). */
  executables: ProsodyExecutables
  /** An empty dir for its config, data and logs, e.g. from serverDir(); left for the caller. */
  dir: string
  /** Component domains, e.g. `bot.localhost`, all with the one secret. */
  components: readonly string[]
  /** Accounts registered on DOMAIN. */
  users: readonly ProsodyAccount[]
  /** Also serve XMPP over WebSocket (mod_websocket, RFC 7395) on an HTTP port (default false). */
  websocket?: boolean
}

/** A Prosody started by launchProsody(), listening on HOST; its users are on DOMAIN. */
export interface LaunchedProsody {
  c2sPort: number
  componentPort: number
  /** The secret of every component. */
  componentSecret: string
  configFile: string
  /** The debug log. */
  logFile: string
  /** With `websocket`: the URL of mod_websocket. */
  websocketUrl: string | undefined
  /** Its process: stop, kill, relaunch (on the same ports, config and data). */
  supervisor: Supervisor
  /** Resolves once `proc`, e.g. the one supervisor.relaunch() returned, listens. */
  ready(proc: Launched): Promise<void>
}

/**
 * Starts a throwaway Prosody in `dir` on free loopback ports, with its own config, data and
 * logs: plain TCP with SASL PLAIN, the components, the users (registered with prosodyctl while
 * Prosody boots: they are only read at login). Resolves once it listens on both ports and the
 * users are registered; if it does not, SIGKILLs it and rejects.
 */
export async function launchProsody(o: LaunchProsodyOptions): Promise<LaunchedProsody> {
  const { prosody, prosodyctl } = o.executables
  const { dir, components } = o
  const configFile = join(dir, 'prosody.cfg.lua')
  const logFile = join(dir, 'prosody.log')
  const [c2sPort, componentPort, httpPort] = (await freePorts(o.websocket ? 3 : 2)) as [
    number,
    number,
    number | undefined,
  ]
  const componentSecret = randomBytes(12).toString('hex')

  // Prosody complains loudly when the certificate dir is missing, even with TLS unused.
  await Promise.all([mkdir(join(dir, 'data')), mkdir(join(dir, 'certs'))])
  await writeFile(
    configFile,
    prosodyConfig({ dir, logFile, c2sPort, componentPort, httpPort, componentSecret, components }),
  )

  // The first registration creates data/localhost/accounts; the rest then only add files.
  const registered = (async () => {
    const [first, ...rest] = o.users
    if (first) await register(prosodyctl, configFile, first)
    await Promise.all(rest.map((u) => register(prosodyctl, configFile, u)))
  })()

  const launch = () => spawnLogged(prosody, ['-F', '--config', configFile], dir, { cwd: dir })
  const supervisor = supervise(launch(), launch)
  const ready = (proc: Launched) =>
    waitReady(
      proc,
      httpPort === undefined ? [c2sPort, componentPort] : [c2sPort, componentPort, httpPort],
      {
        name: 'prosody',
        logs: `${dir}/stdout.log and prosody.log`,
        timeoutMs: READY_TIMEOUT_MS,
        pollMs: POLL_MS,
      },
    )
  await supervisor.killUnless(Promise.all([registered, ready(supervisor.proc)]))
  const websocketUrl =
    httpPort === undefined ? undefined : `ws://${HOST}:${httpPort}/xmpp-websocket`
  return {
    c2sPort,
    componentPort,
    componentSecret,
    configFile,
    logFile,
    websocketUrl,
    supervisor,
    ready,
  }
}

export interface StartProsodyOptions {
  /** Number of `cK.localhost` components to configure (default 32). */
  components?: number
  /** Number of `uK@localhost` users with password 'p' to register (default 32). */
  users?: number
  /** Also serve XMPP over WebSocket: see LaunchProsodyOptions (default false). */
  websocket?: boolean
}

/**
 * Starts a throwaway Prosody on free loopback ports with its own config, data and log in a temp
 * dir, as the XmppServer of the tests and the bench: the components and users of accounts().
 * Users are registered with prosodyctl while Prosody boots (they are only read at login).
 */
export async function startProsody(opts: StartProsodyOptions = {}): Promise<XmppServer> {
  const executables = await ensureProsody({ missing: missingProsody })
  const dir = await serverDir('prosody')
  const { components, users } = accounts(opts)
  const websocket = opts.websocket ?? false
  const prosody = await launchProsody({ executables, dir, components, users, websocket })
  const { c2sPort, componentPort, componentSecret, logFile, websocketUrl } = prosody
  return supervisedServer(
    {
      kind: 'prosody',
      c2sPort,
      componentPort,
      componentSecret,
      components,
      users,
      dir,
      logFile,
      websocketUrl,
    },
    prosody.supervisor,
    prosody.ready,
  )
}

function missingProsody(name: string, install: string): Error {
  if (process.env.CI) {
    return new Error(
      `\`${name}\` is not installed, and CI must run the integration tests against a real ` +
        `Prosody (never skipped). Install it with: ${install}`,
    )
  }
  return new Error(
    `\`${name}\` is not installed; the integration tests need a real Prosody. Install it with: ` +
      `${install} (as root, or with sudo)`,
  )
}

function register(prosodyctl: string, configFile: string, user: ProsodyAccount): Promise<void> {
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
  httpPort: number | undefined
  componentSecret: string
  components: readonly string[]
}

/**
 * What lets components in to Prosody: the component port and one `Component` line per domain.
 * The README's quick start shows what it writes for its example (test/repo checks it), and every
 * throwaway Prosody is configured with it.
 */
export function prosodyComponents(l: ComponentListener): string {
  const s = luaString
  const components = Object.entries(l.secrets).map(
    ([domain, secret]) => `Component ${s(domain)}\n  component_secret = ${s(secret)}\n`,
  )
  return `component_interfaces = { ${s(l.address)} }
component_ports = { ${l.port} }

${components.join('\n')}`
}

/**
 * mod_websocket on its own HTTP port, for browser clients: loopback, plain ws:// taken as secure
 * (as c2s is plain TCP here), and any page's origin let in (a test page may be a file: URL).
 */
function websocketConfig(httpPort: number | undefined, loopback: string): string {
  if (httpPort === undefined) return 'http_ports = { }'
  return `http_ports = { ${httpPort} }
http_interfaces = ${loopback}
consider_websocket_secure = true
cross_domain_websocket = true`
}

function prosodyConfig(p: ConfigParams): string {
  const s = luaString
  const loopback = `{ ${s(HOST)} }`
  return `-- Throwaway config written by @xmpp-errors/throwaway-servers (tools/servers/src/prosody.ts)
-- Under root Prosody otherwise tries to switch to the 'prosody' user and hangs.
run_as_root = true
daemonize = false
pidfile = ${s(join(p.dir, 'prosody.pid'))}
data_path = ${s(join(p.dir, 'data'))}
certificates = ${s(join(p.dir, 'certs'))}

interfaces = ${loopback}
local_interfaces = ${loopback}
c2s_interfaces = ${loopback}
c2s_ports = { ${p.c2sPort} }
c2s_direct_tls_ports = { }
legacy_ssl_ports = { }
s2s_ports = { }
${websocketConfig(p.httpPort, loopback)}
https_ports = { }

-- Loopback only: plain TCP and SASL PLAIN (SCRAM costs ~1 s per login with its iteration count).
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
storage = "internal"

-- Debug level, so tests can see e.g. the stream errors Prosody receives from components.
log = { debug = ${s(p.logFile)} }

modules_enabled = { "saslauth", "disco", "ping"${p.httpPort === undefined ? '' : ', "websocket"'} }
-- No s2s: stanzas to unknown domains bounce at once instead of waiting on DNS.
-- No offline storage: a message to an absent user must not leak into a later test's login.
modules_disabled = { "s2s", "s2s_auth_certs", "dialback", "offline" }

-- Global settings first: a section (Component, VirtualHost) runs to the next one.
${prosodyComponents({
  address: HOST,
  port: p.componentPort,
  secrets: Object.fromEntries(p.components.map((c) => [c, p.componentSecret])),
})}
VirtualHost ${s(DOMAIN)}

-- A MUC service, for rooms a component joins as an occupant. Rooms open at once, without the
-- owner's configuration form: the form is XEP-0045's business, not this harness's.
Component ${s(`rooms.${DOMAIN}`)} "muc"
  muc_room_locking = false
`
}

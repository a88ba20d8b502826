import {
  DOMAIN,
  ensureProsody,
  HOST,
  type Launched,
  launchProsody,
  serverDir as newServerDir,
  type Supervisor,
} from '@xmpp-errors/throwaway-prosody'
import type { ServerInfo, XmppServer, XmppUser } from './types.js'

// The launcher and its process and port helpers live in @xmpp-errors/throwaway-prosody
// (tools/prosody), shared with the demo's Prosody; the helpers are still exported from here.
export {
  DOMAIN,
  findExecutable,
  freePorts,
  HOST,
  type Launched,
  type ReadyOptions,
  type Supervisor,
  spawnLogged,
  supervise,
  waitReady,
} from '@xmpp-errors/throwaway-prosody'

export interface StartProsodyOptions {
  /** Number of `cK.localhost` components to configure (default 32). */
  components?: number
  /** Number of `uK@localhost` users with password 'p' to register (default 32). */
  users?: number
}

/**
 * Starts a throwaway Prosody on free loopback ports with its own config, data and log in a temp
 * dir. Users are registered with prosodyctl while Prosody boots (they are only read at login).
 */
export async function startProsody(opts: StartProsodyOptions = {}): Promise<XmppServer> {
  const executables = await ensureProsody({ missing: missingProsody })
  const dir = await serverDir('prosody')
  const { components, users } = accounts(opts)
  const prosody = await launchProsody({ executables, dir, components, users })
  const { c2sPort, componentPort, componentSecret, logFile } = prosody
  return supervisedServer(
    { kind: 'prosody', c2sPort, componentPort, componentSecret, components, users, dir, logFile },
    prosody.supervisor,
    prosody.ready,
  )
}

function missingProsody(name: string, install: string): Error {
  if (process.env.CI) {
    return new Error(
      `\`${name}\` is not installed, and CI must run the integration tests against a real ` +
        `Prosody (never skipped). .ci/run installs it with: ${install}`,
    )
  }
  return new Error(
    `\`${name}\` is not installed; the integration tests need a real Prosody. Install it with: ` +
      `${install} (as root, or with sudo)`,
  )
}

// ---- Shared with ejabberd.ts --------------------------------------------------------------------

/** A fresh temp dir for one server's config, data and logs. */
export function serverDir(kind: XmppServer['kind']): Promise<string> {
  return newServerDir(kind)
}

/** The `cK.localhost` components and `uK@localhost` users (password 'p'), 32 of each by default. */
export function accounts(opts: { components?: number; users?: number }): {
  components: string[]
  users: XmppUser[]
} {
  return {
    components: Array.from({ length: opts.components ?? 32 }, (_, i) => `c${i + 1}.${DOMAIN}`),
    users: Array.from({ length: opts.users ?? 32 }, (_, i) => ({
      username: `u${i + 1}`,
      password: 'p',
      jid: `u${i + 1}@${DOMAIN}`,
    })),
  }
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

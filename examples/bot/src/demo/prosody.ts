import { rm } from 'node:fs/promises'
import {
  DOMAIN,
  ensureProsody,
  HOST,
  type LaunchedProsody,
  launchProsody,
  type ProsodyAccount,
  ProsodyMissing,
  serverDir,
} from '@xmpp-errors/throwaway-servers'

/**
 * The demo's throwaway Prosody: its own config, data and log in a temp dir, loopback only, free
 * ports, plain TCP with SASL PLAIN, one component. Stopped by PID, its dir removed (kept with
 * DEMO_KEEP_SERVER_DIR). The launcher is @xmpp-errors/throwaway-servers (tools/servers), shared
 * with the integration tests and the bench.
 */

export { type ProsodyAccount, ProsodyMissing }

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

/**
 * Starts Prosody and registers the users (in parallel, while it boots). When Prosody is missing,
 * installs it as root (telling `note`), or throws a ProsodyMissing that says what to run.
 */
export async function startProsody(
  options: ProsodyOptions,
  note: (line: string) => void = () => {},
): Promise<Prosody> {
  const executables = await ensureProsody({
    install: true,
    note,
    missing: (_name, command) =>
      new ProsodyMissing(
        `Prosody is not installed, and the demo needs it (or an XMPP server of yours: see DEMO_* in examples/bot/README.md). Install it with:\n  sudo sh -c '${command}'`,
      ),
  })
  const dir = await serverDir('demo')
  const removeDir = async () => {
    if (!process.env.DEMO_KEEP_SERVER_DIR) await rm(dir, { recursive: true, force: true })
  }
  let prosody: LaunchedProsody
  try {
    prosody = await launchProsody({
      executables,
      dir,
      components: [options.component],
      users: options.users,
    })
  } catch (error) {
    await removeDir()
    throw error
  }
  const { supervisor } = prosody
  return {
    host: HOST,
    domain: DOMAIN,
    c2sPort: prosody.c2sPort,
    componentPort: prosody.componentPort,
    component: options.component,
    componentSecret: prosody.componentSecret,
    pid: supervisor.proc.pid,
    dir,
    logFile: prosody.logFile,
    async stop() {
      await supervisor.stop()
      await removeDir()
    },
  }
}

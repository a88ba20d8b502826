import { rm } from 'node:fs/promises'
import {
  ensurePackages,
  MissingPackages,
  type ServerInfo,
  type SystemPackageName,
  serverInfo,
  startEjabberd,
  startProsody,
  type XmppServer,
} from '@xmpp-errors/throwaway-servers'
import type { TestProject } from 'vitest/node'

// Tests that must SIGKILL or restart a server start a private one with startProsody() rather than
// disturb the shared instance that every integration test file uses.
export { startProsody }

/** What setup() provides, and test files get with inject(). */
declare module 'vitest' {
  export interface ProvidedContext {
    prosody: ServerInfo
    ejabberd?: ServerInfo
  }
}

/**
 * Which servers the suite runs against: both, unless XMPP_SERVERS (e.g. `prosody`) names fewer,
 * which a developer may set to run the Prosody suites alone; the ejabberd suites then say they
 * are skipped, and why. CI never sets it.
 */
function wantedServers(): Set<string> {
  const listed = process.env.XMPP_SERVERS
  if (listed) return new Set(listed.split(/[\s,]+/).filter(Boolean))
  return new Set(['prosody', 'ejabberd'])
}

/**
 * What the integration tests need from the machine, installed here with apt-get as root the way
 * a fresh machine needs it; where that cannot be done, the run stops before any test with one line
 * that names what to install.
 */
async function ensureMachine(wanted: Set<string>): Promise<void> {
  const needed: SystemPackageName[] = ['prosody', 'slixmpp', 'chromium']
  if (wanted.has('ejabberd')) needed.push('ejabberd')
  try {
    await ensurePackages(needed, { note: (line) => console.error(`test setup: ${line}`) })
  } catch (err) {
    if (!(err instanceof MissingPackages)) throw err
    // Vitest prints a global setup's error with its stack; the message is all there is to say.
    err.stack = `${err.name}: ${err.message}`
    throw err
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const wanted = wantedServers()
  if (!wanted.has('ejabberd')) {
    console.warn('test setup: XMPP_SERVERS leaves out ejabberd, so its suites are skipped')
  }
  await ensureMachine(wanted)
  const servers: XmppServer[] = []
  const stopAll = async () => {
    for (const server of servers) {
      await server.stop()
      // Set XMPP_ERRORS_KEEP_SERVER_DIR=1 to read the config and debug log after a run.
      if (process.env.XMPP_ERRORS_KEEP_SERVER_DIR) {
        console.log(`${server.kind} dir kept: ${server.dir}`)
      } else {
        await rm(server.dir, { recursive: true, force: true })
      }
    }
  }
  const started = await Promise.allSettled([
    startProsody(),
    wanted.has('ejabberd') ? startEjabberd() : Promise.resolve(undefined),
  ])
  for (const result of started) {
    if (result.status === 'fulfilled' && result.value) servers.push(result.value)
  }
  const failed = started.find((result) => result.status === 'rejected')
  if (failed) {
    // One server failing must not leave the other running.
    await stopAll()
    throw failed.reason
  }
  for (const server of servers) provide(server.kind, serverInfo(server))
  return stopAll
}

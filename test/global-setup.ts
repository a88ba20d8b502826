import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import {
  type ServerInfo,
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
 * Which servers the suite runs against. XMPP_SERVERS (e.g. `prosody,ejabberd`) decides; without
 * it, CI runs both and a developer's machine runs ejabberd too when it is installed.
 */
function wantedServers(): Set<string> {
  const listed = process.env.XMPP_SERVERS
  if (listed) return new Set(listed.split(/[\s,]+/).filter(Boolean))
  const ejabberd = process.env.CI || existsSync('/usr/sbin/ejabberdctl')
  return new Set(ejabberd ? ['prosody', 'ejabberd'] : ['prosody'])
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const wanted = wantedServers()
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

import { rm } from 'node:fs/promises'
import type { TestProject } from 'vitest/node'
import { startProsody } from './src/servers/prosody.js'
import { serverInfo } from './src/servers/types.js'

// Tests that must SIGKILL or restart a server start a private one with startProsody() rather than
// disturb the shared instance that every integration test file uses.
export { startProsody }

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const prosody = await startProsody()
  provide('prosody', serverInfo(prosody))

  return async () => {
    await prosody.stop()
    // Set XMPP_ERRORS_KEEP_SERVER_DIR=1 to read the config and debug log after a run.
    if (process.env.XMPP_ERRORS_KEEP_SERVER_DIR) {
      console.log(`prosody dir kept: ${prosody.dir}`)
    } else {
      await rm(prosody.dir, { recursive: true, force: true })
    }
  }
}

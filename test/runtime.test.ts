// What differs between the Node.js versions the packages support (the README's supported
// runtimes). `pnpm test` runs this file on each of them (scripts/runtimes.js): each test states
// what its version does.
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { type AddressInfo, connect, createServer, type Socket } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const major = Number(process.versions.node.split('.')[0])
const run = promisify(execFile)
const fixtures = join(import.meta.dirname, 'fixtures', 'runtime')

describe(`Node.js ${process.versions.node}`, () => {
  it('is one of the supported versions', () => {
    expect([20, 22, 24]).toContain(major)
  })

  it(`queues ${major >= 22 ? 64 : 16} KiB in a socket before write() returns false, and only then emits drain`, async () => {
    // guard()'s maxQueued pauses reading past a queue length and resumes on 'drain', which Node
    // emits only after a write() returned false: a pause below this mark would wait for ever.
    const peers: Socket[] = []
    const server = createServer((peer) => {
      peer.pause()
      peers.push(peer)
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1')
    await once(socket, 'connect')
    try {
      const mark = major >= 22 ? 64 * 1024 : 16 * 1024
      expect(socket.writableHighWaterMark).toBe(mark)
      let drains = 0
      socket.on('drain', () => drains++)
      // Corked, nothing reaches the kernel: the queue is exactly what was written.
      socket.cork()
      const chunk = 'x'.repeat(1024)
      const below = Array.from({ length: mark / 1024 - 1 }, () => socket.write(chunk))
      expect(below.every(Boolean)).toBe(true)
      expect(socket.write(chunk)).toBe(false)
      socket.uncork()
      await once(socket, 'drain')
      expect(drains).toBe(1)
    } finally {
      socket.destroy()
      for (const peer of peers) peer.destroy()
      server.close()
    }
  })

  it(`${major >= 22 ? 'has' : 'has no'} global WebSocket, which @xmpp/client's ws:// transport needs`, () => {
    // On Node.js 20, @xmpp/client over WebSocket throws "WebSocket is not defined" at connect:
    // a Node.js app there uses xmpp:// (TCP), or installs a WebSocket global itself.
    expect(typeof (globalThis as { WebSocket?: unknown }).WebSocket).toBe(
      major >= 22 ? 'function' : 'undefined',
    )
  })

  it('loads the ES packages with require(), with no flag and no warning', async () => {
    expect(process.features.require_module).toBe(true)
    const { stdout, stderr } = await run(process.execPath, [join(fixtures, 'require.cjs')], {
      cwd: fixtures,
    })
    expect(stdout).toContain('<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>')
    expect(stderr).toBe('')
  })

  it('sets up errors() and guard() on xmpp.js without a warning', async () => {
    const { stdout, stderr } = await run(process.execPath, [join(fixtures, 'setup.mjs')], {
      cwd: fixtures,
    })
    expect(stdout).toBe('set up\n')
    expect(stderr).toBe('')
  })
})

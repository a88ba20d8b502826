import { rm } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { inspect } from 'node:util'
import { component } from '@xmpp/component'
import {
  type ErrorRecord,
  errors,
  type GuardOptions,
  guard,
  isStreamError,
} from '@xmpp-errors/middleware'
import { recordingLogger } from '@xmpp-errors/testing'
import {
  type Component,
  connectClient,
  connectComponent,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import {
  type HostileServer,
  type ServerInfo,
  startHostileServer,
  startProsody,
  type XmppServer,
} from '@xmpp-errors/throwaway-servers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { componentOf, servers, until, userOf } from './src/suite.js'

// What guard() does after the server closes the stream with a stream error: a configuration
// error stops the component, conflict backs off, see-other-host follows the server.
// The wrong-secret test uses component c14 of the shared servers; the rest run against a
// private Prosody (components c1, c2), and scripted servers (startHostileServer) that answer
// see-other-host, and that shut down (Prosody sends its components no stream error when it stops).

let second: XmppServer

beforeAll(async () => {
  second = await startProsody({ components: 2, users: 1 })
}, 30_000)

afterAll(async () => {
  await stopAll()
  if (!second) return
  await second.stop()
  await rm(second.dir, { recursive: true, force: true })
})

/** A guarded component, not started, that notes when it sends each handshake. */
function guarded(
  server: Pick<ServerInfo, 'host' | 'componentPort'>,
  domain: string,
  password: string,
  options: Omit<GuardOptions, 'onError'> = {},
) {
  const records: ErrorRecord[] = []
  const handshakes: number[] = []
  const logger = recordingLogger()
  const c = guard(
    component({ service: `xmpp://${server.host}:${server.componentPort}`, domain, password }),
    { logger, onError: (r) => records.push(r), ...options },
  )
  c.middleware.use(errors({ logger }))
  c.on('send', (el: { name: string }) => {
    if (el.name === 'handshake') handshakes.push(Date.now())
  })
  return { c, records, handshakes, logger }
}

const intervals = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number))

describe('a wrong secret', () => {
  it('stops at once on both servers: one handshake, one error record, start() rejects', async () => {
    // Both servers at once: each waits 8 s for a second handshake that must not come.
    await Promise.all(
      servers.map(async (server) => {
        const wrong = guarded(server, componentOf(server, 'c25'), `not ${server.componentSecret}`)
        // No 'error' listener of the test's own: guard()'s is the only one.
        const started = wrong.c.start().then(
          () => undefined,
          (error: unknown) => error as Error & { condition?: string },
        )
        const failure = await started
        // The server's stream error, as StreamError.fromElement reads it.
        expect(isStreamError(failure), server.kind).toBe(true)
        expect(failure?.condition).toBe('not-authorized')
        await sleep(8_000)
        expect(wrong.handshakes, server.kind).toHaveLength(1)
        expect(wrong.c.status, server.kind).toBe('offline')
        expect(wrong.records, server.kind).toHaveLength(1)
        expect(wrong.records[0]).toMatchObject({
          level: 'error',
          action: 'observe',
          xmpp: { kind: 'stream', condition: 'not-authorized' },
          next: { action: 'stop', hint: 'the server refused the component secret' },
        })
        // Logged once, by guard(): errors() does not observe it a second time.
        expect(
          wrong.logger.entries.map((e) => e.level),
          server.kind,
        ).toEqual(['error'])
        expect(wrong.logger.entries[0]?.msg).toMatch(/not-authorized: the server refused/)
      }),
    )
  }, 20_000)
})

describe('diagnostics (Prosody): the wrong port, the wrong secret', () => {
  it('names a client port as the likely cause of host-unknown, with the port used', async () => {
    const wrong = guarded(
      { host: second.host, componentPort: second.c2sPort },
      componentOf(second, 'c2'),
      second.componentSecret,
    )
    const failure = (await wrong.c.start().then(
      () => undefined,
      (error: unknown) => error,
    )) as (Error & { condition?: string }) | undefined
    expect(failure?.condition).toBe('host-unknown')
    expect(wrong.records).toHaveLength(1)
    const hint = wrong.records[0]?.next?.hint
    console.log(`component on Prosody's c2s port: ${hint}`)
    // Before: "check the domain and the server configuration", no port named.
    expect(hint).toContain(`port ${second.c2sPort}`)
    expect(hint).toMatch(/client \(c2s\) port rather than its component port/)
  })

  it('rejects start() with a short error on a wrong secret: condition and text, the element hidden', async () => {
    const wrong = guarded(
      { host: second.host, componentPort: second.componentPort },
      componentOf(second, 'c2'),
      `not ${second.componentSecret}`,
    )
    const failure = (await wrong.c.start().then(
      () => undefined,
      (error: unknown) => error,
    )) as (Error & { condition?: string; element?: unknown }) | undefined
    expect(isStreamError(failure)).toBe(true)
    expect(failure?.condition).toBe('not-authorized')
    // What Node prints for an unhandled rejection: before, 58 lines, mostly the parsed element
    // and its circular `parent`.
    const printed = inspect(failure)
    console.log(
      `wrong secret: start() rejects with ${printed.split('\n').length} lines:\n${printed}`,
    )
    expect(Object.keys(failure ?? {})).not.toContain('element')
    expect(failure?.element).toBeDefined()
    expect(printed).not.toMatch(/parent/)
    expect(printed.split('\n').length).toBeLessThanOrEqual(15)
    expect(failure?.message).toMatch(/^not-authorized/)
  })
})

describe('conflict (Prosody: another connection holds the domain)', () => {
  let holder: Component

  beforeAll(async () => {
    holder = await connectComponent(second, componentOf(second, 'c1'))
  })

  async function measure(options: GuardOptions, handshakes: number, withinMs: number) {
    const late = guarded(second, componentOf(second, 'c1'), second.componentSecret, options)
    const started = late.c.start().then(
      () => 'online',
      (error: Error) => error.message,
    )
    // Stopped while it waits to reconnect, after the server's answer to the last handshake.
    await until(`${handshakes} refusals`, () => late.records.length >= handshakes, withinMs)
    late.c.reconnect.stop()
    await late.c.stop().catch(() => {})
    return { ...late, started: await started }
  }

  it('backs off from 1 s, doubling, with jitter (the default)', async () => {
    const { handshakes, records, started, logger } = await measure({}, 4, 12_000)
    const gaps = intervals(handshakes)
    const delays = records.map((r) => r.next?.delayMs)
    console.log(
      `conflict, default backoff: handshake intervals ${gaps.join(', ')} ms; delays set ${delays.join(', ')} ms`,
    )
    expect(records.slice(0, 3).map((r) => [r.level, r.xmpp.condition, r.next?.action])).toEqual([
      ['warn', 'conflict', 'reconnect'],
      ['warn', 'conflict', 'reconnect'],
      ['warn', 'conflict', 'reconnect'],
    ])
    expect(records[0]?.next?.hint).toMatch(/another connection holds this component domain/)
    // Each wait is the delay set, plus a connection and a handshake on loopback.
    gaps.forEach((gap, i) => {
      const exact = 1000 * 2 ** i
      expect(gap).toBeGreaterThanOrEqual(exact * 0.8)
      expect(gap).toBeLessThan(exact * 1.2 + 1000)
      expect(gap).toBeGreaterThanOrEqual(delays[i] as number)
    })
    expect(started).toMatch(/stopped before it was online/)
    expect(logger.where((e) => e.level === 'error')).toEqual([])
    expect(holder.status).toBe('online')
  }, 20_000)

  it('keeps to maxMs once reached', async () => {
    const { records } = await measure({ backoff: { baseMs: 100, maxMs: 400 } }, 7, 10_000)
    const delays = records.slice(0, 6).map((r) => r.next?.delayMs as number)
    console.log(`conflict, backoff 100 ms to 400 ms: delays set ${delays.join(', ')} ms`)
    const exact = [100, 200, 400, 400, 400, 400]
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual((exact[i] as number) * 0.8)
      expect(delay).toBeLessThanOrEqual(Math.min((exact[i] as number) * 1.2, 400))
    })
  }, 15_000)
})

describe('see-other-host', () => {
  let stub: HostileServer

  beforeAll(async () => {
    // The first server: accepts the component's stream and sends it to the second Prosody, on
    // the same host (a redirect elsewhere needs redirectHosts: hostile-server.test.ts).
    stub = await startHostileServer({
      script: {
        header: { condition: 'see-other-host', content: `${second.host}:${second.componentPort}` },
      },
    })
  })

  afterAll(() => stub.close())

  it('reconnects to the host given, and answers IQs there', async () => {
    const domain = componentOf(second, 'c2')
    const moved = guarded(
      { host: stub.host, componentPort: stub.port },
      domain,
      second.componentSecret,
    )
    moved.c.iqCallee.get('urn:example:where', 'query', () =>
      xml('query', { xmlns: 'urn:example:where' }, 'here'),
    )
    await moved.c.start()
    expect(moved.c.status).toBe('online')
    expect(moved.records).toMatchObject([
      {
        level: 'warn',
        xmpp: { condition: 'see-other-host' },
        next: { action: 'see-other-host', host: `${second.host}:${second.componentPort}` },
      },
    ])
    const client = await connectClient(second, userOf(second, 'u1'))
    const reply = await request(
      client,
      xml('iq', { type: 'get', to: domain }, xml('query', { xmlns: 'urn:example:where' })),
    )
    expect(reply.attrs.type).toBe('result')
    expect(reply.getChildText('query', 'urn:example:where')).toBe('here')
    expect(moved.logger.where((e) => e.level === 'error')).toEqual([])
    moved.c.reconnect.stop()
    await moved.c.stop()
  })
})

describe('system-shutdown, then the server is down a while', () => {
  // Prosody 0.12 closes component connections without a stream error when it stops, so the
  // server here is a scripted one: it accepts any handshake and, the first time, shuts down.
  it('reconnects with growing delays, and the delay is back to its own once online', async () => {
    let stub = await startHostileServer()
    const port = stub.port
    const shutDown = (async () => {
      await until('the first connection', () => stub.connections.length > 0)
      await stub.connections[0]?.online
      await sleep(100)
      stub.connections[0]?.streamError({ condition: 'system-shutdown' })
      await stub.connections[0]?.closed
      // Down: connections are refused until it listens again.
      await stub.close()
    })()
    const c = guarded({ host: '127.0.0.1', componentPort: port }, 'stub.localhost', 'any')
    const plugin = c.c.reconnect as unknown as { delay: number }
    try {
      await c.c.start()
      await until('the system-shutdown record', () => c.records.length > 0)
      expect(c.records[0]).toMatchObject({
        level: 'warn',
        xmpp: { condition: 'system-shutdown' },
        next: { action: 'reconnect', attempt: 1 },
      })
      expect(c.records[0]?.next?.hint).toBe('the server is shutting down')
      // One attempt refused, after ~1 s: the next waits ~2 s.
      await shutDown
      await sleep(1_800)
      expect(plugin.delay).toBeGreaterThanOrEqual(1600)
      stub = await startHostileServer({ port })
      await until('the component online again', () => c.c.status === 'online', 10_000)
      expect(plugin.delay).toBe(1000)
      expect(c.handshakes).toHaveLength(2)
      // The refused attempt is xmpp.js's 'error' (ECONNREFUSED), a record of its own; the stream
      // error is recorded once.
      expect(c.records.filter((r) => r.xmpp.kind === 'stream')).toHaveLength(1)
    } finally {
      c.c.reconnect.stop()
      await c.c.stop().catch(() => {})
      await stub.close()
    }
  }, 20_000)
})

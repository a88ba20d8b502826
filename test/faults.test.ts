// Faults against a private Prosody: SIGKILL and restart under load, and a StreamError under load.
// The component must come back, answer again, answer nothing twice, and keep no state that grows.
import { rm } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Client } from '@xmpp/client'
import { type Component, xml } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import { type ErrorsMiddleware, errors, StanzaError, StreamError } from '@xmpp-errors/middleware'
import { collect, connectClient, connectComponent, stopAll } from '@xmpp-errors/throwaway-clients'
import { startProsody, type XmppServer } from '@xmpp-errors/throwaway-servers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { componentOf, recorder, until as untilWithin, userOf } from './src/suite.js'

const NS = 'urn:xmpp-errors:faults'
const IN_FLIGHT = 50
const HANDLER_MS = 40
const RECONNECT_DELAY_MS = 50
let server: XmppServer

beforeAll(async () => {
  server = await startProsody({ components: 2, users: 2 })
}, 30_000)

afterAll(async () => {
  await stopAll()
  if (!server) return
  await server.stop()
  await rm(server.dir, { recursive: true, force: true })
})

const until = (what: string, test: () => boolean) => untilWithin(what, test, 10_000, 5)

interface Watched {
  component: Component
  middleware: ErrorsMiddleware
  /** Replies the component wrote, per id. */
  sent: Map<string, number>
  /** Ids of the requests that reached the component. */
  received: Set<string>
  onlines: number[]
  logged: string[]
}

/**
 * The component under test: errors() with a rate limit, a route that answers after HANDLER_MS
 * (an item-not-found for every fifth request, a StreamError for payloads marked boom).
 */
async function faultyComponent(domain: string): Promise<Watched> {
  const { logger, lines: logged } = recorder()
  const middleware = errors({ logger, rateLimit: { max: 10_000, windowMs: 60_000 } })
  const sent = new Map<string, number>()
  const received = new Set<string>()
  const onlines: number[] = []
  const component = await connectComponent(server, domain, (c) => {
    c.reconnect.delay = RECONNECT_DELAY_MS
    c.middleware.use(middleware)
    c.iqCallee.get(NS, 'q', async (ctx) => {
      const { attrs } = ctx.element
      if (attrs.boom) throw new StreamError('undefined-condition', { text: 'boom' })
      await sleep(Number(attrs.delay ?? HANDLER_MS))
      if (Number(attrs.n) % 5 === 0) throw new StanzaError('item-not-found')
      return xml('q', { xmlns: NS }, String(attrs.n))
    })
    c.on('send', (el: Element) => {
      if (el.name === 'iq' && el.attrs.id) sent.set(el.attrs.id, (sent.get(el.attrs.id) ?? 0) + 1)
    })
    c.on('stanza', (el: Element) => {
      if (el.attrs.id) received.add(el.attrs.id)
    })
    c.on('online', () => {
      onlines.push(performance.now())
    })
  })
  return { component, middleware, sent, received, onlines, logged }
}

/** Sends `n` requests without waiting; returns their ids. */
function burst(client: Client, domain: string, prefix: string, n: number, extra = {}) {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`)
  for (const [i, id] of ids.entries()) {
    client
      .send(xml('iq', { type: 'get', id, to: domain }, xml('q', { xmlns: NS, n: i, ...extra })))
      .catch(() => {})
  }
  return ids
}

function counts(replies: readonly Element[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const r of replies) if (r.attrs.id) m.set(r.attrs.id, (m.get(r.attrs.id) ?? 0) + 1)
  return m
}

const max = (m: Map<string, number>) => Math.max(0, ...m.values())

/** Listener counts of every event the component has listeners for. */
function listeners(c: Component): Record<string, number> {
  const emitter = c as unknown as { eventNames(): Array<string | symbol> }
  return Object.fromEntries(
    emitter.eventNames().map((name) => [String(name), c.listenerCount(String(name))]),
  )
}

function resources(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1
  return out
}

describe('faults against a private Prosody', () => {
  it('SIGKILL and restart under load: reconnects, answers again, never twice, grows nothing', async () => {
    const domain = componentOf(server, 'c1')
    const w = await faultyComponent(domain)
    let client = await connectClient(server, userOf(server, 'u1'), { reconnect: false })
    // Warm up once, then take the baseline.
    let replies = collect(client, (s) => s.name === 'iq')
    burst(client, domain, 'warm', IN_FLIGHT)
    await until('the warm-up answers', () => replies.stanzas.length === IN_FLIGHT)
    replies.stop()
    const baseListeners = listeners(w.component)
    const baseResources = resources()

    const rounds: Array<{
      lost: number
      answered: number
      restartMs: number
      reconnectMs: number
    }> = []
    for (let round = 0; round < 3; round++) {
      replies = collect(client, (s) => s.name === 'iq')
      const ids = burst(client, domain, `kill${round}`, IN_FLIGHT)
      // The requests are at the component (each handler takes HANDLER_MS) when Prosody dies.
      await until('the requests to reach the component', () =>
        ids.every((id) => w.received.has(id)),
      )
      await sleep(HANDLER_MS / 2)
      await server.kill()
      const answered = replies.stop()
      const onlinesBefore = w.onlines.length
      const t0 = performance.now()
      await server.restart()
      const restartMs = performance.now() - t0
      await until('the component back online', () => w.onlines.length > onlinesBefore)
      // From the restart() call: Prosody's start plus the component's reconnection (it retries
      // every RECONNECT_DELAY_MS, so it may be online before restart() has seen the ports open).
      const reconnectMs = (w.onlines.at(-1) ?? 0) - t0
      await client.stop().catch(() => {})
      client = await connectClient(server, userOf(server, 'u1'), { reconnect: false })

      // In flight at the kill: answered at most once, whatever was lost.
      const before = counts(answered)
      expect(max(before)).toBeLessThanOrEqual(1)
      expect([...before.keys()].every((id) => ids.includes(id))).toBe(true)
      rounds.push({
        lost: IN_FLIGHT - before.size,
        answered: before.size,
        restartMs: Math.round(restartMs),
        reconnectMs: Math.round(reconnectMs),
      })

      // After the restart every request is answered, exactly once.
      replies = collect(client, (s) => s.name === 'iq')
      const after = burst(client, domain, `after${round}`, IN_FLIGHT)
      await until('every request after the restart answered', () =>
        after.every((id) => replies.stanzas.some((s) => s.attrs.id === id)),
      )
      await sleep(HANDLER_MS * 2)
      const got = counts(replies.stop())
      expect(max(got)).toBe(1)
      expect(got.size).toBe(IN_FLIGHT)
    }
    // Nothing written twice by the component, across all rounds.
    expect(max(w.sent)).toBe(1)
    // No state that grows: the same listeners, no extra sockets or timers, a bounded limiter.
    expect(listeners(w.component)).toEqual(baseListeners)
    const now = resources()
    expect(now.TCPSocketWrap ?? 0).toBe(baseResources.TCPSocketWrap ?? 0)
    expect(now.Timeout ?? 0).toBeLessThanOrEqual((baseResources.Timeout ?? 0) + 1)
    expect(w.middleware.rateLimit?.senders).toBeLessThanOrEqual(1)
    console.log(
      `SIGKILL under load (${IN_FLIGHT} in flight, handler ${HANDLER_MS} ms, reconnect delay ` +
        `${RECONNECT_DELAY_MS} ms):\n${rounds
          .map(
            (r, i) =>
              `  round ${i + 1}: ${r.lost} lost in flight, ${r.answered} answered before the kill; ` +
              `restart() took ${r.restartMs} ms, component online ${r.reconnectMs} ms after restart() began`,
          )
          .join('\n')}\n  listeners ${JSON.stringify(listeners(w.component))}, resources ` +
        `${JSON.stringify(now)} (baseline ${JSON.stringify(baseResources)})`,
    )
  }, 30_000)

  it('a StreamError under load: the stream closes, the component comes back, later requests are answered', async () => {
    const domain = componentOf(server, 'c2')
    const w = await faultyComponent(domain)
    const client = await connectClient(server, userOf(server, 'u1'), { reconnect: false })
    const statuses: string[] = []
    w.component.on('status', (s: string) => statuses.push(s))
    const streamErrors: string[] = []
    w.component.on('output', (s: unknown) => {
      if (String(s).includes('<stream:error')) streamErrors.push(String(s))
    })

    let replies = collect(client, (s) => s.name === 'iq')
    // 49 ordinary requests, some answered only after the stream has been replaced, and one that
    // throws a StreamError while the others are being handled.
    const quick = burst(client, domain, 'quick', 25)
    const slow = burst(client, domain, 'slow', 24, { delay: 600 })
    await sleep(5)
    const t0 = performance.now()
    burst(client, domain, 'boom', 1, { boom: 'yes' })
    await until('the component back online', () => w.onlines.length >= 2)
    const reconnectMs = Math.round((w.onlines.at(-1) ?? 0) - t0)
    await sleep(800)
    const inFlight = counts(replies.stop())
    expect(streamErrors).toEqual([
      '<stream:error><undefined-condition xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>' +
        '<text xmlns="urn:ietf:params:xml:ns:xmpp-streams">boom</text></stream:error>',
    ])
    expect(statuses.slice(0, 3)).toEqual(['closing', 'close', 'disconnecting'])
    expect(max(inFlight)).toBeLessThanOrEqual(1)
    expect(inFlight.has('boom-0')).toBe(false)

    replies = collect(client, (s) => s.name === 'iq')
    const later = burst(client, domain, 'later', IN_FLIGHT)
    await until('every later request answered', () =>
      later.every((id) => replies.stanzas.some((s) => s.attrs.id === id)),
    )
    await sleep(HANDLER_MS * 2)
    const got = counts(replies.stop())
    expect(max(got)).toBe(1)
    expect(max(w.sent)).toBe(1)
    const answeredQuick = quick.filter((id) => inFlight.has(id)).length
    const answeredSlow = slow.filter((id) => inFlight.has(id)).length
    console.log(
      `StreamError under load: ${answeredQuick}/25 quick (${HANDLER_MS} ms) and ${answeredSlow}/24 ` +
        `slow (600 ms) in-flight requests answered, the boom request not; component online ` +
        `${reconnectMs} ms after the throw; ${IN_FLIGHT}/${IN_FLIGHT} later requests answered once`,
    )
  }, 20_000)
})

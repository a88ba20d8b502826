// Soak: a component with errors() under steady load against a private Prosody for SOAK_MINUTES
// (10 is the target), with a StreamError (and so a reconnection) every minute. Samples memory
// every SOAK_SAMPLE_SECONDS (10) after a forced GC, prints a table and checks that heap and RSS
// stay flat. Not part of `pnpm test`; run it with `corepack pnpm soak` (SOAK_MINUTES=3 for a
// shorter one).
import { rm } from 'node:fs/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type Component, xml } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import { errors, type Logger, StanzaError, StreamError } from '@xmpp-errors/middleware'
import { testComponent } from '@xmpp-errors/testing'
import { connectClient, connectComponent, stopAll } from '@xmpp-errors/throwaway-clients'
import { startProsody, type XmppServer } from '@xmpp-errors/throwaway-servers'
import { afterAll, describe, expect, it } from 'vitest'

const MINUTES = Number(process.env.SOAK_MINUTES ?? 0)
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10) * 1000
/** Requests per second, sent in ticks of TICK_MS. */
const RATE = Number(process.env.SOAK_RATE ?? 200)
const TICK_MS = 50
const STREAM_ERROR_EVERY_MS = 60_000
const REQUEST_TIMEOUT_MS = 5_000
const NS = 'urn:xmpp-errors:soak'
const MB = 1024 * 1024
/** Stanzas of the in-process soak: the middleware alone, without sockets or a server. */
const IN_PROCESS = Number(process.env.SOAK_IN_PROCESS ?? 1_000_000)

/** A forced GC, so that samples measure what is retained; only set up when the soak runs. */
let collect: (() => void) | undefined
function gc(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc')
    collect = runInNewContext('gc') as () => void
  }
  collect()
}

interface Sample {
  t: number
  rss: number
  heapUsed: number
  external: number
  answered: number
  errors: number
  lost: number
  online: number
  listeners: number
  handles: number
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length
  const mx = points.reduce((s, [x]) => s + x, 0) / n
  const my = points.reduce((s, [, y]) => s + y, 0) / n
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0)
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0)
  return den === 0 ? 0 : num / den
}

function listenerTotal(c: Component): number {
  const emitter = c as unknown as { eventNames(): Array<string | symbol> }
  return emitter.eventNames().reduce((sum, name) => sum + c.listenerCount(String(name)), 0)
}

describe.skipIf(!(MINUTES > 0))('soak', () => {
  let server: XmppServer | undefined

  afterAll(async () => {
    await stopAll()
    if (!server) return
    await server.stop()
    await rm(server.dir, { recursive: true, force: true })
  })

  it(
    `${MINUTES} min at ${RATE} requests/s: heap and RSS stay flat`,
    async () => {
      server = await startProsody({ components: 1, users: 1 })
      const domain = server.components[0] ?? 'c1.localhost'
      const quiet: Logger = { debug() {}, warn() {}, error() {} }
      let boomAt = Date.now() + STREAM_ERROR_EVERY_MS
      let onlines = 0
      const component = await connectComponent(server, domain, (c) => {
        c.reconnect.delay = 100
        c.middleware.use(errors({ logger: quiet, rateLimit: { max: 1_000_000, windowMs: 1_000 } }))
        c.iqCallee.get(NS, 'q', async (ctx) => {
          const n = Number(ctx.element.attrs.n)
          if (Date.now() >= boomAt) {
            boomAt = Date.now() + STREAM_ERROR_EVERY_MS
            throw new StreamError('undefined-condition', { text: 'soak' })
          }
          await new Promise((resolve) => setTimeout(resolve, n % 7))
          if (n % 5 === 1) throw new StanzaError('item-not-found', { text: `no item ${n}` })
          if (n % 5 === 2) throw new Error(`handler bug ${n}`)
          if (n % 5 === 3) throw `a string ${n}`
          return xml('q', { xmlns: NS }, String(n))
        })
        c.middleware.use((ctx) => {
          if (ctx.name === 'message') throw new Error('no messages here')
          return undefined
        })
        c.on('online', () => {
          onlines++
        })
      })
      const [u] = server.users
      if (!u) throw new Error('no user')
      const client = await connectClient(server, u)

      const pending = new Map<string, number>()
      let answered = 0
      let errorReplies = 0
      let lost = 0
      let sequence = 0
      client.on('stanza', (s: Element) => {
        const id = s.attrs.id
        if (id === undefined || !pending.delete(id)) return
        answered++
        if (s.attrs.type === 'error') errorReplies++
      })
      const tick = setInterval(() => {
        const now = Date.now()
        for (const [id, sentAt] of pending) {
          if (now - sentAt < REQUEST_TIMEOUT_MS) break
          pending.delete(id)
          lost++
        }
        for (let i = 0; i < (RATE * TICK_MS) / 1000; i++) {
          const n = sequence++
          const id = `s${n}`
          if (n % 10 === 9) {
            client
              .send(xml('message', { to: domain, id }, xml('body', {}, `m${n}`)))
              .catch(() => {})
            continue
          }
          pending.set(id, now)
          client
            .send(xml('iq', { type: 'get', to: domain, id }, xml('q', { xmlns: NS, n })))
            .catch(() => {})
        }
      }, TICK_MS)

      const samples: Sample[] = []
      const t0 = Date.now()
      const end = t0 + MINUTES * 60_000
      try {
        while (Date.now() < end) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(SAMPLE_MS, end - Date.now())))
          gc()
          const m = process.memoryUsage()
          samples.push({
            t: Math.round((Date.now() - t0) / 1000),
            rss: m.rss,
            heapUsed: m.heapUsed,
            external: m.external,
            answered,
            errors: errorReplies,
            lost,
            online: onlines,
            listeners: listenerTotal(component),
            handles: process.getActiveResourcesInfo().length,
          })
        }
      } finally {
        clearInterval(tick)
      }

      const fmt = (b: number) => (b / MB).toFixed(1).padStart(7)
      console.log(
        `soak: ${MINUTES} min, ${RATE} req/s (IQs: 2/5 answered, 3/5 errors; 1/10 messages), a ` +
          `StreamError every ${STREAM_ERROR_EVERY_MS / 1000} s\n` +
          '    t s  rss MB heap MB  ext MB  answered  errors  lost  onlines  listeners  handles\n' +
          samples
            .map(
              (s) =>
                `${String(s.t).padStart(7)} ${fmt(s.rss)} ${fmt(s.heapUsed)} ${fmt(s.external)} ` +
                `${String(s.answered).padStart(9)} ${String(s.errors).padStart(7)} ${String(s.lost).padStart(5)} ` +
                `${String(s.online).padStart(8)} ${String(s.listeners).padStart(10)} ${String(s.handles).padStart(8)}`,
            )
            .join('\n'),
      )
      // Flatness over the samples after the first minute (JIT, pools and caches warm up): the
      // least-squares slope, and the growth it amounts to over that window. Short runs are
      // dominated by noise, so what is bounded is the growth, not the slope alone.
      const steady = samples.filter((s) => s.t >= 60)
      const minutes = ((steady.at(-1)?.t ?? 0) - (steady[0]?.t ?? 0)) / 60
      const perMinute = (key: 'rss' | 'heapUsed') =>
        slope(steady.map((s) => [s.t / 60, s[key] / MB]))
      const heap = perMinute('heapUsed')
      const rss = perMinute('rss')
      console.log(
        `soak slopes over ${minutes.toFixed(1)} min after the first: heap ${heap.toFixed(3)} MB/min ` +
          `(${(heap * minutes).toFixed(2)} MB), rss ${rss.toFixed(3)} MB/min (${(rss * minutes).toFixed(2)} MB)`,
      )
      expect(steady.length).toBeGreaterThanOrEqual(3)
      expect(answered).toBeGreaterThan(RATE * MINUTES * 60 * 0.8)
      expect(new Set(steady.map((s) => s.listeners)).size).toBe(1)
      expect(heap * minutes).toBeLessThan(1)
      expect(rss * minutes).toBeLessThan(8)
    },
    (MINUTES + 2) * 60_000,
  )

  it(
    `in process: ${IN_PROCESS} stanzas through errors(), heap after GC flat`,
    async () => {
      const h = await testComponent(
        (c: Component) => {
          c.middleware.use(
            errors({
              logger: { debug() {}, warn() {}, error() {} },
              rateLimit: { max: 1e9, windowMs: 1_000 },
            }),
          )
          c.iqCallee.get(NS, 'q', async (ctx) => {
            const n = Number(ctx.element.attrs.n)
            await null
            if (n % 10_000 === 7) throw new StreamError('undefined-condition')
            if (n % 5 === 1) throw new StanzaError('item-not-found', { text: `no item ${n}` })
            if (n % 5 === 2) throw new Error(`handler bug ${n}`)
            if (n % 5 === 3) throw `a string ${n}`
            return xml('q', { xmlns: NS })
          })
          c.middleware.use((ctx) => {
            if (ctx.name === 'message') throw new Error('no messages here')
            return undefined
          })
        },
        { domain: 'c1.localhost' },
      )
      const rows: Array<{ stanzas: number; heap: number; rss: number; written: number }> = []
      let written = 0
      for (let n = 0; n < IN_PROCESS; n++) {
        const from = `u${n % 1000}@localhost/r`
        h.feed(
          n % 10 === 9
            ? xml('message', { id: `m${n}`, from, to: 'c1.localhost' }, xml('body', {}, 'x'))
            : xml(
                'iq',
                { type: 'get', id: `i${n}`, from, to: 'c1.localhost' },
                xml('q', { xmlns: NS, n }),
              ),
        )
        if (n % 1000 === 999) {
          await h.settle()
          // The footer that ends a stream closed with an error is no answer to a stanza.
          written += h.written.filter((data) => data !== '</stream:stream>').length
          h.clear()
        }
        if ((n + 1) % (IN_PROCESS / 10) === 0) {
          await h.settle()
          gc()
          const m = process.memoryUsage()
          rows.push({ stanzas: n + 1, heap: m.heapUsed / MB, rss: m.rss / MB, written })
        }
      }
      console.log(
        `soak in process: ${IN_PROCESS} stanzas (a StreamError every 10,000; 1,000 senders)\n` +
          '  stanzas  heap MB  rss MB   written\n' +
          rows
            .map(
              (r) =>
                `${String(r.stanzas).padStart(9)} ${r.heap.toFixed(2).padStart(8)} ` +
                `${r.rss.toFixed(1).padStart(7)} ${String(r.written).padStart(9)}`,
            )
            .join('\n'),
      )
      // Every stanza got exactly one write: its reply, or the <stream:error/> that replaced it.
      expect(rows.at(-1)?.written).toBe(IN_PROCESS)
      const [, second] = rows
      const last = rows.at(-1)
      expect((last?.heap ?? 0) - (second?.heap ?? 0)).toBeLessThan(0.5)
    },
    10 * 60_000,
  )
})

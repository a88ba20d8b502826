// Hostile input and hostile conditions on the wire, through a private Prosody 0.12: what the
// component sends must reach the peer intact (ids with tab/LF/CR), within the stanza size the
// server accepts, no larger than the request plus a constant, and with bounded memory when the
// link to the server is slow.
import { rm } from 'node:fs/promises'
import { createServer, type Server, Socket } from 'node:net'
import type { Client } from '@xmpp/client'
import { type Component, xml } from '@xmpp/component'
import { type ErrorRecord, errors, guard, type Logger, StanzaError } from '@xmpp-errors/middleware'
import {
  collect,
  connectClient,
  connectComponent,
  nextStanza,
  stopAll,
} from '@xmpp-errors/throwaway-clients'
import { startProsody, type XmppServer } from '@xmpp-errors/throwaway-servers'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { componentOf, until, userOf } from './src/suite.js'

const NS = 'urn:xmpp-errors:wire'
const quiet: Logger = { debug() {}, warn() {}, error() {} }
let server: XmppServer

beforeAll(async () => {
  server = await startProsody({ components: 5, users: 2 })
}, 30_000)

afterEach(stopAll)

afterAll(async () => {
  await stopAll()
  if (!server) return
  await server.stop()
  await rm(server.dir, { recursive: true, force: true })
})

/** guard() and errors() as a component uses them, records into `records`, then `setup`. */
function protect(records: ErrorRecord[], setup: (c: Component) => void, limits = {}) {
  return (c: Component) => {
    const onError = (r: ErrorRecord) => records.push(r)
    guard(c, { logger: quiet, onError, ...limits })
    c.middleware.use(errors({ logger: quiet, onError }))
    setup(c)
  }
}

/** Writes raw XML on the client's stream and resolves with the stanza answering `id`. */
async function rawRequest(client: Client, id: string, raw: string, timeoutMs = 5_000) {
  const reply = nextStanza(client, (s) => s.attrs.id === id, timeoutMs)
  await client.write(raw)
  return reply
}

describe('an IQ nested 10,000 elements deep', () => {
  it('passes Prosody and is answered once, echo capped, one record', async () => {
    const domain = componentOf(server, 'c1')
    const records: ErrorRecord[] = []
    await connectComponent(
      server,
      domain,
      protect(records, (c) => {
        c.iqCallee.get(NS, 'q', () => {
          throw new StanzaError('item-not-found')
        })
      }),
    )
    const client = await connectClient(server, userOf(server, 'u1'), { resource: 'deep' })
    for (const depth of [3_000, 10_000]) {
      records.length = 0
      const id = `deep-${depth}`
      const payload = `<q xmlns='${NS}'>${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}</q>`
      const raw = `<iq type='get' id='${id}' to='${domain}'>${payload}</iq>`
      const reply = await rawRequest(client, id, raw)
      expect(reply.attrs.type).toBe('error')
      expect(reply.getChildren('error')).toHaveLength(1)
      expect(reply.getChild('error')?.getChild('item-not-found')).toBeDefined()
      expect(reply.toString().length).toBeLessThan(4096 + 600)
      expect(records.filter((r) => r.action === 'reply')).toHaveLength(1)
      console.log(
        `deep IQ: depth ${depth}, ${raw.length} bytes sent, reply ${reply.toString().length} chars`,
      )
    }
  })
})

describe('ids and attributes with tab, LF and CR', () => {
  it('come back byte-identical in error replies and in results', async () => {
    const domain = componentOf(server, 'c2')
    const records: ErrorRecord[] = []
    const note = 'line 1\nline 2\r\n\tindented'
    await connectComponent(
      server,
      domain,
      protect(records, (c) => {
        c.iqCallee.get(NS, 'fail', () => {
          throw new StanzaError('item-not-found')
        })
        c.iqCallee.get(NS, 'echo', () => xml('echo', { xmlns: NS, note }, note))
      }),
    )
    const client = await connectClient(server, userOf(server, 'u1'), { resource: 'ids' })
    const input: string[] = []
    client.on('input', (data: unknown) => input.push(String(data)))
    // The id as the client's parser reads it, and as it was written on the wire.
    const id = 'a\tb\nc\rd'
    const wireId = 'a&#9;b&#10;c&#13;d'
    const error = await rawRequest(
      client,
      id,
      `<iq type='get' id='${wireId}' to='${domain}'><fail xmlns='${NS}'/></iq>`,
    )
    expect(error.attrs.type).toBe('error')
    expect(error.attrs.id).toBe(id)
    const result = await rawRequest(
      client,
      `${id}2`,
      `<iq type='get' id='${wireId}2' to='${domain}'><echo xmlns='${NS}'/></iq>`,
    )
    expect(result.attrs.type).toBe('result')
    expect(result.attrs.id).toBe(`${id}2`)
    expect(result.getChild('echo')?.attrs.note).toBe(note)
    expect(result.getChild('echo')?.text()).toBe(note)
    expect(input.join('')).not.toContain('id="a b c d"')
  })
})

describe('the default `by`', () => {
  it('keeps a reply within the request plus 256 bytes, whatever resource the sender put in `to`', async () => {
    const domain = componentOf(server, 'c3')
    const records: ErrorRecord[] = []
    await connectComponent(
      server,
      domain,
      protect(records, (c) => {
        c.middleware.use(() => {
          throw new StanzaError('not-acceptable', { text: 'no' })
        })
      }),
    )
    const client = await connectClient(server, userOf(server, 'u1'), { resource: 'by' })
    const resource = 'r'.repeat(1023)
    const cases = [
      xml(
        'message',
        { id: 'by-m', to: `${domain}/${resource}` },
        xml('body', {}, 'b'.repeat(1024)),
      ),
      xml('message', { id: 'by-l', to: `${'l'.repeat(1023)}@${domain}/${resource}` }),
      xml('iq', { type: 'get', id: 'by-i', to: `${domain}/${resource}` }, xml('q', { xmlns: NS })),
    ]
    for (const request of cases) {
      const id = request.attrs.id as string
      const reply = nextStanza(client, (s) => s.attrs.id === id)
      await client.send(request)
      const answer = await reply
      const by = answer.getChild('error')?.attrs.by as string
      expect(by, id).not.toContain(resource)
      // What Prosody delivered to the client and what the client sent carry the same from/to.
      const out = answer.toString().length
      const sent = request.toString().length
      console.log(`by: ${id} sent ${sent} chars, reply ${out} chars, by="${by.slice(0, 40)}"`)
      expect(out, id).toBeLessThanOrEqual(sent + 256 + `from="u1@localhost/by"`.length)
    }
  })
})

/** Every status the component goes through, to show that its stream was never torn down. */
function statuses(c: Component): string[] {
  const seen: string[] = []
  c.on('status', (status: string) => seen.push(status))
  return seen
}

describe('a reply larger than the stanza size limit', () => {
  it('is replaced by resource-constraint and recorded, and the stream stays up', async () => {
    const domain = componentOf(server, 'c4')
    const records: ErrorRecord[] = []
    const component = await connectComponent(
      server,
      domain,
      protect(records, (c) => {
        // 600,000 characters: over Prosody's 512 KiB component_stanza_size_limit.
        c.iqCallee.get(NS, 'big', () => xml('big', { xmlns: NS }, 'b'.repeat(600_000)))
        c.iqCallee.get(NS, 'fits', () => xml('fits', { xmlns: NS }, 'f'.repeat(200_000)))
      }),
    )
    const seen = statuses(component)
    const client = await connectClient(server, userOf(server, 'u1'), { resource: 'big' })
    const big = nextStanza(client, (s) => s.attrs.id === 'big')
    await client.send(xml('iq', { type: 'get', id: 'big', to: domain }, xml('big', { xmlns: NS })))
    const replaced = await big
    expect(replaced.attrs.type).toBe('error')
    expect(replaced.getChildren('error')).toHaveLength(1)
    expect(replaced.getChild('error')?.attrs.type).toBe('wait')
    expect(replaced.getChild('error')?.getChild('resource-constraint')).toBeDefined()
    const fits = nextStanza(client, (s) => s.attrs.id === 'fits')
    await client.send(
      xml('iq', { type: 'get', id: 'fits', to: domain }, xml('fits', { xmlns: NS })),
    )
    expect((await fits).getChild('fits')?.text()).toHaveLength(200_000)
    expect(seen).toEqual([])
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      level: 'error',
      action: 'reply',
      xmpp: { condition: 'resource-constraint' },
      stanza: { name: 'iq', type: 'result', id: 'big' },
      exposed: false,
    })
    expect(records[0]?.text).toBe(
      'stanza of more than 256000 bytes is over maxStanzaSize (256000); sent resource-constraint instead',
    )
  })
})

/**
 * A TCP proxy to `port` whose component-to-server direction carries `rate` bytes per second
 * (`Infinity` lifts the limit), reading no more from the component than it can forward.
 */
async function throttlingProxy(port: number) {
  const state = { rate: 4096 }
  const timers: NodeJS.Timeout[] = []
  const sockets: Socket[] = []
  const proxy: Server = createServer((down) => {
    const up = new Socket()
    sockets.push(up, down)
    up.connect(port, '127.0.0.1')
    up.pipe(down)
    const queue: Buffer[] = []
    let queued = 0
    down.on('data', (chunk: Buffer) => {
      queue.push(chunk)
      queued += chunk.length
      if (queued > 16 * 1024) down.pause()
    })
    const tick = 50
    timers.push(
      setInterval(() => {
        let budget = Math.floor((state.rate * tick) / 1000)
        while (queue.length > 0 && budget > 0) {
          const chunk = queue[0] as Buffer
          const n = Math.min(chunk.length, budget)
          up.write(chunk.subarray(0, n))
          if (n === chunk.length) queue.shift()
          else queue[0] = chunk.subarray(n)
          queued -= n
          budget -= n
        }
        if (queued <= 16 * 1024) down.resume()
      }, tick),
    )
    const close = () => {
      up.destroy()
      down.destroy()
    }
    up.on('close', close)
    down.on('close', close)
    up.on('error', close)
    down.on('error', close)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const address = proxy.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    state,
    async close() {
      for (const timer of timers) clearInterval(timer)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => proxy.close(() => resolve()))
    },
  }
}

describe('a slow link to the server', () => {
  it('queues no more than maxQueued: reading pauses, and what is past the bound is refused and recorded', async () => {
    const requests = Number(process.env.WIRE_FLOOD ?? 3_000)
    const maxQueued = 256 * 1024
    const proxy = await throttlingProxy(server.componentPort)
    try {
      const domain = componentOf(server, 'c5')
      const records: ErrorRecord[] = []
      const component = await connectComponent(
        { ...server, componentPort: proxy.port },
        domain,
        protect(
          records,
          (c) => {
            c.iqCallee.get(NS, 'q', () => xml('q', { xmlns: NS }, 'r'.repeat(2_000)))
          },
          { maxQueued },
        ),
      )
      const seen = statuses(component)
      const client = await connectClient(server, userOf(server, 'u2'), { resource: 'flood' })
      const answers = collect(client, (s) => s.attrs.id?.startsWith('f-') === true)
      global.gc?.()
      const rssBefore = process.memoryUsage().rss
      let batch = ''
      for (let i = 0; i < requests; i++) {
        batch += `<iq type='get' id='f-${i}' to='${domain}'><q xmlns='${NS}'/></iq>`
      }
      await client.write(batch)
      // 4 s at 4 KB/s: the component could forward 16 KB of some 6 MB of replies.
      let maxWritable = 0
      const socket = (component as unknown as { socket: { writableLength: number } }).socket
      for (let t = 0; t < 200; t++) {
        maxWritable = Math.max(maxWritable, socket.writableLength)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      const rssThrottled = process.memoryUsage().rss
      proxy.state.rate = Number.POSITIVE_INFINITY
      const refused = () => records.filter((r) => r.reason === 'send-queue-full').length
      await until(
        'every request answered or refused',
        () => answers.stanzas.length + refused() >= requests,
        120_000,
        50,
      )
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
      console.log(
        `slow link: ${requests} requests, replies ${requests * 2.1} kB in all; socket queue at most ` +
          `${maxWritable} bytes (maxQueued ${maxQueued}); rss ${mb(rssBefore)} → ${mb(rssThrottled)} MB ` +
          `while throttled; ${answers.stanzas.length} answered, ${refused()} refused`,
      )
      expect(maxWritable).toBeLessThanOrEqual(maxQueued)
      expect(answers.stanzas.length + refused()).toBe(requests)
      // The first refusal of a congestion is at error, the rest at debug: one line, not a flood.
      const levels = records.filter((r) => r.reason === 'send-queue-full').map((r) => r.level)
      if (levels.length > 0) expect(levels[0]).toBe('error')
      if (levels.length > 1) expect(levels.slice(1)).toContain('debug')
      expect(seen.filter((s) => s === 'disconnect')).toEqual([])
    } finally {
      await stopAll()
      await proxy.close()
    }
  }, 180_000)
})

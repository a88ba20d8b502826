// Hostile input against the process, in process: a real @xmpp/component 0.13.1 on a socket in
// memory (@xmpp-errors/testing), with errors() and guard() as a component would use them.
import { type Component, xml } from '@xmpp/component'
import type { Element } from '@xmpp/xml'
import {
  type ErrorRecord,
  errors,
  guard,
  type Logger,
  StanzaError,
  StreamError,
} from '@xmpp-errors/middleware'
import { testComponent } from '@xmpp-errors/testing'
import { describe, expect, it } from 'vitest'

const C = 'c1.localhost'
const NS = 'urn:xmpp-errors:hostile'
const FROM = 'u1@localhost/r'

const throwingLogger: Logger = {
  debug() {
    throw new Error('logger down')
  },
  warn() {
    throw new Error('logger down')
  },
  error() {
    throw new Error('logger down')
  },
}

/** guard() and errors() with `records` collecting every onError record, then `setup`. */
function component(records: ErrorRecord[], logger: Logger, setup?: (c: Component) => void) {
  return testComponent(
    (c: Component) => {
      guard(c, { logger, onError: (r) => records.push(r) })
      c.middleware.use(errors({ logger, onError: (r) => records.push(r) }))
      setup?.(c)
    },
    { domain: C },
  )
}

/** A catch-all that throws `make()` for every stanza; the server's <handshake/> passes. */
const throwingFor =
  (make: () => unknown) =>
  (ctx: { name: string }, next: () => Promise<unknown>): Promise<unknown> => {
    if (ctx.name === 'handshake') return next()
    throw make()
  }

describe("a throwing logger and a throwing 'element' listener", () => {
  it('do not throw out of the socket handler, and the request is still answered', async () => {
    const h = await component([], throwingLogger, (c) => {
      // A listener that assumes every message has a body, fed a chat-state notification.
      c.on('element', (el: Element) => {
        if (el.is('message')) (el.getChild('body') as Element).text()
      })
      c.middleware.use(throwingFor(() => new Error('boom')))
    })
    const chatState = xml(
      'message',
      { type: 'chat', id: 'cs', from: FROM, to: C },
      xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' }),
    )
    expect((await h.send(chatState)).threw).toBeUndefined()
    expect(h.written).toHaveLength(1)
    expect(h.written[0]).toContain('internal-server-error')
  })
})

/** An element `depth` levels deep: `<a><a>…</a></a>`, built without recursion. */
function nested(depth: number, name = 'a'): Element {
  let el = xml(name, {}, 'x')
  for (let i = 1; i < depth; i++) el = xml(name, {}, el)
  return el
}

const errorChildren = (reply: string) => reply.match(/<error[\s>/]/g)?.length ?? 0

describe('an IQ whose payload nests thousands of elements', () => {
  for (const [what, route] of [
    ['a StanzaError is thrown', 'stanza'],
    ['an Error is thrown', 'error'],
    ['no route answers', 'none'],
  ] as const) {
    it(`is answered once, with the echo capped and one record, when ${what}`, async () => {
      const records: ErrorRecord[] = []
      const h = await testComponent(
        (c: Component) => {
          const logger: Logger = { debug() {}, warn() {}, error() {} }
          c.middleware.use(errors({ logger, onError: (r) => records.push(r) }))
          if (route !== 'none') {
            c.iqCallee.get(NS, 'q', () => {
              throw route === 'stanza' ? new StanzaError('item-not-found') : new Error('boom')
            })
          }
        },
        { domain: C },
      )
      // Warm-up first: the stack a recursive walk can use grows once the JIT has compiled it.
      const depths = [...Array(200).fill(50), 1_000, 3_000, 5_000, 10_000, 30_000]
      for (const [i, depth] of depths.entries()) {
        h.clear()
        records.length = 0
        const payload = xml('q', { xmlns: NS }, nested(depth))
        // As parsed: the element itself, not its text, is what no walk may recurse over.
        const iq = xml('iq', { type: 'get', id: `d${i}`, from: FROM, to: C }, payload)
        expect((await h.send(iq, { parsed: true })).threw).toBeUndefined()
        expect(h.written, `depth ${depth}`).toHaveLength(1)
        const reply = h.written[0] as string
        const start = /^<iq [^>]*>/.exec(reply)?.[0]
        expect(start).toContain('type="error"')
        expect(start).toContain(`id="d${i}"`)
        expect(errorChildren(reply)).toBe(1)
        expect(reply.length).toBeLessThan(4096 + 600)
        expect(records, `depth ${depth}`).toHaveLength(1)
      }
    })
  }
})

describe('an IQ whose payload element is named <error/>', () => {
  for (const payload of [
    xml('error', { xmlns: NS }, xml('detail', {}, 'd')),
    xml('error', { xmlns: 'jabber:client', type: 'cancel' }),
    xml('x:error', { 'xmlns:x': NS }),
  ]) {
    it(`gets a reply with exactly one <error/> child, ours: ${payload.toString()}`, async () => {
      const records: ErrorRecord[] = []
      const h = await component(records, { debug() {}, warn() {}, error() {} }, (c) => {
        c.middleware.use(throwingFor(() => new StanzaError('item-not-found')))
      })
      await h.send(xml('iq', { type: 'set', id: 'e1', from: FROM, to: C }, payload))
      expect(h.written).toHaveLength(1)
      const reply = h.written[0] as string
      expect(reply.match(/<(?:[\w-]+:)?error[\s>/]/g)).toHaveLength(1)
      expect(reply).toContain('<item-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>')
      expect(reply).toContain('id="e1"')
      expect(records.filter((r) => r.action === 'reply')).toHaveLength(1)
    })
  }
})

describe('what a peer controls is capped in records', () => {
  it('a 60 KB id, from, to and text make a record of a few KB, marked where cut', async () => {
    const records: ErrorRecord[] = []
    const lines: string[] = []
    const logger: Logger = {
      debug: (o, msg) => lines.push(JSON.stringify({ ...o, msg })),
      warn: (o, msg) => lines.push(JSON.stringify({ ...o, msg })),
      error: (o, msg) => lines.push(JSON.stringify({ ...o, msg })),
    }
    // 60 KB each, so that the reply, which carries three of them, stays under maxStanzaSize.
    const huge = 'h'.repeat(60_000)
    const h = await component(records, logger, (c) => {
      c.middleware.use(
        throwingFor(() => new StanzaError('bad-request', { text: `unknown ${huge}` })),
      )
    })
    h.feed(xml('message', { id: huge, from: `u1@localhost/${huge}`, to: `${C}/${huge}` }))
    h.feed(
      xml(
        'message',
        { type: 'error', id: huge, from: `u1@localhost/${huge}`, to: C },
        xml(
          'error',
          { type: 'cancel' },
          xml('item-not-found', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }),
          xml('text', { xmlns: 'urn:ietf:params:xml:ns:xmpp-stanzas' }, huge),
        ),
      ),
    )
    await h.settle()
    // The error stanza is observed, then dropped: never an error to an error.
    expect(records.map((r) => r.action).sort()).toEqual(['drop', 'observe', 'reply'])
    for (const record of records) {
      expect(record.stanza.id).toMatch(/^h{256}…\[cut 59744 chars\]$/)
      expect(record.stanza.from?.length).toBeLessThan(300)
      expect(record.msg.length).toBeLessThan(600)
      expect((record.text ?? '').length).toBeLessThanOrEqual(1100)
    }
    expect(records.find((r) => r.action === 'reply')?.stanza.to).toMatch(/…\[cut \d+ chars\]$/)
    expect(lines).toHaveLength(3)
    for (const line of lines) expect(line.length).toBeLessThan(8_000)
  })
})

describe('stream errors the component sends', () => {
  it('are logged at a level per condition: a planned system-shutdown at warn, without a stack', async () => {
    const entries: Array<{ level: string; object: ErrorRecord }> = []
    const log = (level: string) => (object: object) => {
      entries.push({ level, object: object as ErrorRecord })
    }
    const logger: Logger = { debug: log('debug'), warn: log('warn'), error: log('error') }
    // One component per condition: system-shutdown stops the component for good.
    for (const condition of [
      'system-shutdown',
      'policy-violation',
      'internal-server-error',
    ] as const) {
      const h = await testComponent(
        (c: Component) => {
          c.middleware.use(errors({ logger }))
          c.middleware.use(throwingFor(() => new StreamError(condition)))
        },
        { domain: C },
      )
      await h.send(xml('message', { id: condition, from: FROM, to: C }))
      await h.stop()
    }
    expect(
      entries.map((e) => [e.object.xmpp.condition, e.level, e.object.err !== undefined]),
    ).toEqual([
      ['system-shutdown', 'warn', false],
      ['policy-violation', 'warn', false],
      ['internal-server-error', 'error', true],
    ])
    // packages/errors/README.md: stream errors have no type and no blame.
    for (const { object } of entries) {
      expect(object.xmpp.blame).toBeUndefined()
      expect(object.xmpp.type).toBeUndefined()
    }
  })
})

describe('every line logged is a record, given to onError', () => {
  it("the wrong-order warning, a listener's throw and an error xmpp.js emits: one shape, with an id", async () => {
    const records: ErrorRecord[] = []
    const lines: string[] = []
    const logger: Logger = {
      debug: (_o, msg) => lines.push(msg),
      warn: (_o, msg) => lines.push(msg),
      error: (_o, msg) => lines.push(msg),
    }
    let n = 0
    const h = await testComponent(
      (c: Component) => {
        // A route registered before errors(): its StanzaError reaches xmpp.js's IQ handler.
        c.iqCallee.get(NS, 'early', () => {
          throw new StanzaError('item-not-found')
        })
        guard(c, { logger, onError: (r) => records.push(r), correlationId: () => `id-${++n}` })
        c.middleware.use(errors({ logger, onError: (r) => records.push(r) }))
      },
      { domain: C },
    )
    h.entity.on('element', () => {
      throw new Error('listener bug')
    })
    await h.send(
      xml('iq', { type: 'get', id: 'e1', from: FROM, to: C }, xml('early', { xmlns: NS })),
    )
    h.entity.emit('error', new Error('write failed'))
    const messages = records.map((r) => r.msg)
    // Before: logged with logger.error directly, never given to onError.
    expect(messages).toEqual([
      "an 'element' listener threw; the process keeps running",
      "StanzaError item-not-found reached xmpp.js's IQ handler, which answered internal-server-error instead: use errors() before any iqCallee.get/set route",
      'xmpp.js emitted an error',
    ])
    expect(lines).toEqual(messages)
    for (const record of records) {
      expect(record.correlationId).toMatch(/^id-\d+$/)
      expect(record.action).toBe('observe')
      expect(Object.keys(record).sort()).toEqual(
        [
          'action',
          'condition',
          'correlationId',
          'err',
          'exposed',
          'from',
          'id',
          'text',
          'to',
          'type',
        ].sort(),
      )
    }
    expect(records[1]).toMatchObject({
      xmpp: { condition: 'item-not-found' },
      stanza: { name: 'iq' },
    })
  })
})

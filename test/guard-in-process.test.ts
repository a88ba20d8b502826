// guard() in process, with no server: what Prosody does not let through to a component (see
// guard.test.ts for what it does, and for the crash in a child process), fed to a real
// @xmpp/component 0.13.1 on a socket in memory (@xmpp-errors/testing).
import { type Component, xml } from '@xmpp/component'
import { NS_STANZAS, NS_STREAMS } from '@xmpp-errors/conditions'
import {
  type ErrorRecord,
  type ErrorsOptions,
  errors,
  type GuardOptions,
  guard,
  StanzaError,
} from '@xmpp-errors/middleware'
import { describe, expect, it } from 'vitest'
import '@xmpp-errors/testing/vitest'
import { testComponent } from '@xmpp-errors/testing'
import { recorder } from './src/suite.js'

const NS = 'urn:xmpp-errors:guard'
const C11 = 'c11.localhost'

describe('in process: what Prosody does not let through', () => {
  async function guarded(options: GuardOptions = {}) {
    const r = recorder()
    const h = await testComponent(
      (c: Component) => {
        // No backoff before the reconnect that follows our own stream error: the test sees it.
        const backoff = { baseMs: 0 }
        guard(c, { logger: r.logger, onError: (x) => r.records.push(x), backoff, ...options })
        c.middleware.use(errors({ logger: r.logger }))
        c.iqCallee.get(NS, 'q', () => xml('q', { xmlns: NS }))
        c.middleware.use(() => undefined)
      },
      { domain: C11 },
    )
    // What onError got, beside the entity's own view.
    return Object.assign(h, { recorded: r.records, lines: r.lines })
  }

  it.each(['foo@', '@', '/r', 'a@/b', 'foo@/'])(
    "answers a malformed to='%s' with jid-malformed from the component's own address",
    async (to) => {
      const h = await guarded()
      for (const stanza of [
        xml('iq', { type: 'get', id: 'i1', from: 'u9@localhost/r', to }, xml('q', { xmlns: NS })),
        xml('iq', { type: 'set', id: 'i2', from: 'u9@localhost/r', to }, xml('q', { xmlns: NS })),
        xml('message', { id: 'm1', from: 'u9@localhost/r', to }, xml('body', {}, 'hi')),
        xml('presence', { id: 'p1', from: 'u9@localhost/r', to }),
      ]) {
        expect(h.feed(stanza).threw).toBeUndefined()
      }
      await h.settle()
      expect(h.written).toEqual(
        ['iq', 'iq', 'message', 'presence'].map(
          (name, i) =>
            `<${name} type="error" from="${C11}" to="u9@localhost/r" id="${['i1', 'i2', 'm1', 'p1'][i]}">` +
            `<error type="modify" by="${C11}"><jid-malformed xmlns="${NS_STANZAS}"/>` +
            `<text xmlns="${NS_STANZAS}">malformed 'to' address</text></error></${name}>`,
        ),
      )
      expect(h.closes).toEqual([])
      expect(h.recorded.map((r) => r.action)).toEqual(['reply', 'reply', 'reply', 'reply'])
    },
  )

  it("answers nothing to an error or result with a malformed 'to', and nothing without a sender", async () => {
    const h = await guarded()
    h.feed(xml('iq', { type: 'result', id: 'r1', from: 'u9@localhost/r', to: 'foo@' }))
    h.feed(xml('message', { type: 'error', id: 'e1', from: 'u9@localhost/r', to: 'foo@' }))
    h.feed(xml('presence', { type: 'error', id: 'e2', from: 'u9@localhost/r', to: '@' }))
    h.feed(xml('handshake', { to: '@' }))
    await h.settle()
    expect(h.written).toEqual([])
    expect(h.recorded.map((r) => [r.action, r.reason])).toEqual(
      Array(4).fill(['drop', 'malformed-address']),
    )
  })

  it.each(['foo@', '@', '/r', 'a@/b'])(
    "closes the stream with improper-addressing for from='%s', and reconnects",
    async (from) => {
      const h = await guarded()
      const exchange = await h.send(
        xml('iq', { type: 'get', id: 'f1', from, to: C11 }, xml('q', { xmlns: NS })),
      )
      expect(exchange.threw).toBeUndefined()
      expect(h.written).toEqual([
        `<stream:error><improper-addressing xmlns="${NS_STREAMS}"/>` +
          `<text xmlns="${NS_STREAMS}">a stanza arrived with a malformed 'from' address</text>` +
          '</stream:error>',
        '</stream:stream>',
      ])
      expect(exchange).toHaveClosedStream('improper-addressing', {
        by: 'entity',
        after: 'reconnect',
      })
      expect(h.entity.status).toBe('online')
    },
  )

  it("drops a malformed 'from' when told to, and stops for good with afterStreamError: 'stop'", async () => {
    const drop = await guarded({ malformedFrom: 'drop' })
    drop.feed(xml('iq', { type: 'get', id: 'f1', from: 'foo@', to: C11 }, xml('q', { xmlns: NS })))
    await drop.settle()
    expect(drop.written).toEqual([])
    expect(drop.closes).toEqual([])
    expect(drop.recorded.map((r) => [r.action, r.reason])).toEqual([['drop', 'malformed-address']])

    const stop = await guarded({ afterStreamError: 'stop' })
    const stopped = await stop.send(xml('message', { from: '@', to: C11 }))
    expect(stopped).toHaveClosedStream('improper-addressing', { after: 'stop' })
    expect(stop.entity.status).toBe('offline')
  })

  it("survives an 'element' listener that throws, and an 'error' event nobody listens to", async () => {
    const h = await guarded()
    h.entity.on('element', () => {
      throw new Error('listener bug')
    })
    const exchange = await h.send(
      xml('iq', { type: 'get', id: 'x', from: 'u9@localhost/r', to: C11 }, xml('q', { xmlns: NS })),
    )
    expect(exchange.threw).toBeUndefined()
    expect(h.lines).toContain("an 'element' listener threw; the process keeps running")
    // The listener that threw was registered after xmpp.js's own: the request is still answered.
    expect(h.written).toHaveLength(1)
    expect(() => h.entity.emit('error', new Error('nobody listens'))).not.toThrow()
  })

  it('without guard() the same stanza throws out of the socket, which ends the process', async () => {
    const bare = await testComponent(
      (c: Component) => {
        c.middleware.use(errors({ logger: recorder().logger }))
      },
      { domain: C11 },
    )
    const fed = await bare.send(xml('message', { from: 'foo@', to: C11 }))
    expect(String(fed.threw?.error)).toMatch(/Invalid domain/)
    await bare.stop()
  })
})

describe('in process: logger, onError and correlationId given once', () => {
  /** A component whose route throws forbidden, guarded and answered with these options. */
  function given(guardOptions: GuardOptions, errorsOptions: ErrorsOptions) {
    return testComponent(
      (c: Component) => {
        guard(c, guardOptions)
        c.middleware.use(errors(errorsOptions))
        c.iqCallee.get(NS, 'q', () => {
          throw new StanzaError('forbidden')
        })
      },
      { domain: C11 },
    )
  }
  /** The route's forbidden (errors() records it), then a malformed 'to' (guard() records it). */
  async function oneForEach(h: Awaited<ReturnType<typeof given>>): Promise<void> {
    for (const to of [C11, 'foo@']) {
      h.feed(
        xml('iq', { type: 'get', id: to, from: 'u9@localhost/r', to }, xml('q', { xmlns: NS })),
      )
      await h.settle()
    }
  }

  // errors() knows its component from the first stanza it handles: given to errors() only, the
  // options reach guard() from then on.
  it.each(['guard', 'errors'] as const)(
    'to %s() only: the other of the same component records there too',
    async (to) => {
      const r = recorder()
      const options = {
        logger: r.logger,
        onError: (x: ErrorRecord) => r.records.push(x),
        correlationId: () => `${to}-1`,
      }
      await oneForEach(await given(to === 'guard' ? options : {}, to === 'errors' ? options : {}))
      expect(r.records.map((x) => [x.xmpp.condition, x.correlationId])).toEqual([
        ['forbidden', `${to}-1`],
        ['jid-malformed', `${to}-1`],
      ])
      expect(r.lines).toHaveLength(2)
    },
  )

  it('to both: each keeps its own', async () => {
    const g = recorder()
    const e = recorder()
    await oneForEach(
      await given(
        { logger: g.logger, onError: (x) => g.records.push(x) },
        { logger: e.logger, onError: (x) => e.records.push(x) },
      ),
    )
    expect(e.records.map((x) => x.xmpp.condition)).toEqual(['forbidden'])
    expect(g.records.map((x) => x.xmpp.condition)).toEqual(['jid-malformed'])
  })
})

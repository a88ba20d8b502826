import { type ChildProcess, spawn } from 'node:child_process'
import type { EventEmitter } from 'node:events'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { component as makeComponent } from '@xmpp/component'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import { type ErrorRecord, errors, StanzaError, StreamError } from '@xmpp-errors/middleware'
import { get, type LogEntry, type RecordingLogger, recordingLogger } from '@xmpp-errors/testing'
import {
  type Client,
  type Component,
  collect,
  connectClient,
  connectComponent,
  type Element,
  errorsOf,
  expectNoStanza,
  nextStanza,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { componentOf, fromDomain, servers, userOf } from './src/suite.js'

// What errors() answers, through a real server, for messages, presences, unknown exceptions, error
// stanzas and iq results; that each IQ gets exactly one reply; what it logs; and that a component
// using it survives throws with no 'error' listener of its own.
// This file uses components c7–c10 and user u7.

const NS = 'urn:example:replies'
const SECRET = 'secret /srv/db password=hunter2'
/** Strings that must never reach the peer when an unknown exception is thrown. */
const LEAKS = ['hunter2', '/srv/db', 'password', 'secret', 'Error:', 'at ']
/** No further stanza may arrive for this long after the last expected one. */
const QUIET_MS = 300
const RECONNECT_DELAY_MS = 50
/** Stream errors thrown by the component without an 'error' listener. */
const STREAM_ROUNDS = 3
const testDir = dirname(fileURLToPath(import.meta.url))

afterAll(stopAll)

/** What the unknown-exception route throws, by `kind`: at once, or as a rejection later. */
function throwUnknown(kind: string | undefined): Promise<never> {
  switch (kind) {
    case 'error':
      throw new Error(SECRET)
    case 'string':
      throw SECRET
    case 'null':
      throw null
    case 'object':
      throw { x: 1, detail: SECRET }
    case 'rejection':
      return sleep(5).then(() => Promise.reject(new Error(SECRET)))
    default:
      throw new Error(`unexpected kind ${kind}`)
  }
}
const unknownKinds = ['error', 'string', 'null', 'object', 'rejection']

function records(logger: RecordingLogger): ErrorRecord[] {
  return logger.entries.map((e) => e.object as unknown as ErrorRecord)
}

function entriesFor(logger: RecordingLogger, id: string | undefined): LogEntry[] {
  return logger.where((e) => get(e.object, 'stanza.id') === id)
}

describe.each(servers)('replies through $kind', (server) => {
  const u7 = userOf(server, 'u7')
  const c7 = componentOf(server, 'c7')
  const c8 = componentOf(server, 'c8')
  const c9 = componentOf(server, 'c9')
  const c10 = componentOf(server, 'c10')
  let client: Client

  beforeAll(async () => {
    client = await connectClient(server, u7, { resource: 'replies' })
    // request() listens once per iq in flight, and 50 go at once here.
    ;(client as unknown as EventEmitter).setMaxListeners(100)
  })

  describe('messages, presences, unknown exceptions, no-reply cases, logging', () => {
    const logger = recordingLogger()
    const onErrorRecords: ErrorRecord[] = []
    let component: Component

    beforeAll(async () => {
      component = await connectComponent(server, c7, (c) => {
        c.middleware.use(
          errors({
            logger,
            onError: (record) => {
              onErrorRecords.push(record)
            },
          }),
        )
        c.middleware.use((ctx, next) => {
          const to = ctx.stanza.attrs.to ?? ''
          if (to.startsWith('drop@')) throw new StanzaError('bad-request', { text: 'drop me' })
          if (to.startsWith('bot@') && ctx.name === 'message') {
            throw new StanzaError('forbidden', { text: 'no messages here' })
          }
          if (to.startsWith('bot@') && ctx.name === 'presence') {
            throw new StanzaError('not-acceptable', { text: 'no presence here' })
          }
          return next()
        })
        c.iqCallee.get(NS, 'unknown', ({ element }) => throwUnknown(element.attrs.kind))
        c.iqCallee.get(NS, 'sender', () => {
          throw new StanzaError('item-not-found', { text: 'no such note' })
        })
        c.iqCallee.get(NS, 'server', () => {
          throw new StanzaError('resource-constraint', { text: 'disk full at /srv/db' })
        })
      })
    })

    /** Sends `stanza` and returns its one reply: no second one may follow within QUIET_MS. */
    async function onlyReply(stanza: Element): Promise<Element> {
      const id = stanza.attrs.id
      const seen = collect(client, fromDomain(c7))
      const reply = nextStanza(client, (s) => s.attrs.id === id)
      await client.send(stanza)
      const got = await reply
      await expectNoStanza(client, fromDomain(c7), QUIET_MS)
      expect(seen.stop()).toEqual([got])
      return got
    }

    it('answers a message with one message error, its body not echoed', async () => {
      const id = 'message-1'
      const to = `bot@${c7}`
      const reply = await onlyReply(
        xml('message', { to, id, type: 'chat' }, xml('body', {}, 'a body not to echo')),
      )
      expect(reply.name).toBe('message')
      expect(reply.attrs).toMatchObject({ type: 'error', id, from: to, to: client.jid?.toString() })
      const error = reply.getChild('error')
      expect(error?.attrs).toMatchObject({ type: 'auth', by: to })
      expect(error?.getChild('forbidden', NS_STANZAS)).toBeDefined()
      expect(error?.getChildText('text', NS_STANZAS)).toBe('no messages here')
      expect(reply.getChild('body')).toBeUndefined()
      expect(reply.toString()).not.toContain('a body not to echo')
      expect(entriesFor(logger, id)).toHaveLength(1)
    })

    it('answers a directed presence with one presence error', async () => {
      const id = 'presence-1'
      const to = `bot@${c7}`
      const reply = await onlyReply(xml('presence', { to, id }, xml('status', {}, 'busy')))
      expect(reply.name).toBe('presence')
      expect(reply.attrs).toMatchObject({ type: 'error', id, from: to, to: client.jid?.toString() })
      const error = reply.getChild('error')
      expect(error?.attrs).toMatchObject({ type: 'modify', by: to })
      expect(error?.getChild('not-acceptable', NS_STANZAS)).toBeDefined()
      expect(error?.getChildText('text', NS_STANZAS)).toBe('no presence here')
      expect(reply.getChild('status')).toBeUndefined()
      expect(entriesFor(logger, id)).toHaveLength(1)
    })

    it('answers unknown exceptions with internal-server-error and nothing of what was thrown', async () => {
      const seen = collect(client, fromDomain(c7))
      const replies = await Promise.all(
        unknownKinds.map((kind) =>
          request(
            client,
            xml(
              'iq',
              { type: 'get', to: c7, id: `unknown-${kind}` },
              xml('unknown', { xmlns: NS, kind }),
            ),
          ),
        ),
      )
      await expectNoStanza(client, fromDomain(c7), QUIET_MS)
      expect(seen.stop()).toHaveLength(unknownKinds.length)
      for (const [i, reply] of replies.entries()) {
        const kind = unknownKinds[i]
        expect(reply.attrs, kind).toMatchObject({ type: 'error', id: `unknown-${kind}` })
        const error = reply.getChild('error')
        expect(error?.attrs.type, kind).toBe('cancel')
        expect(error?.getChild('internal-server-error', NS_STANZAS), kind).toBeDefined()
        expect(error?.getChild('text', NS_STANZAS), kind).toBeUndefined()
        const raw = reply.toString()
        for (const leak of LEAKS) expect(raw, `${kind}: ${raw}`).not.toContain(leak)

        // The log keeps what the peer did not get.
        const entries = entriesFor(logger, `unknown-${kind}`)
        expect(entries, kind).toHaveLength(1)
        const { level, object } = entries[0] as LogEntry
        expect(level).toBe('error')
        expect(object).toMatchObject({
          xmpp: { condition: 'internal-server-error', type: 'cancel', blame: 'server' },
          exposed: false,
          action: 'reply',
        })
        expect(object.text).toBeUndefined()
        expect(get(object, 'err.stack'), kind).toEqual(expect.any(String))
        if (kind === 'error' || kind === 'rejection') {
          expect(get(object, 'err.message')).toBe(SECRET)
        }
      }
    })

    it('never answers error stanzas or iq results, and logs why', async () => {
      const to = `drop@${c7}`
      const condition = () =>
        xml('error', { type: 'cancel' }, xml('item-not-found', { xmlns: NS_STANZAS }))
      const dropped: Array<[Element, string]> = [
        [
          xml('message', { to, id: 'drop-message-error', type: 'error' }, condition()),
          'error-stanza',
        ],
        [xml('iq', { to, id: 'drop-iq-result', type: 'result' }), 'iq-result'],
        [xml('iq', { to, id: 'drop-iq-error', type: 'error' }, condition()), 'error-stanza'],
        [
          xml('presence', { to, id: 'drop-presence-error', type: 'error' }, condition()),
          'error-stanza',
        ],
      ]
      // Listen first: anything from c7 inside the window fails the test.
      const silence = expectNoStanza(client, fromDomain(c7), QUIET_MS)
      for (const [stanza] of dropped) await client.send(stanza)
      await silence
      // Nothing was answered; and each was seen (dropped), not lost on the way.
      await vi.waitFor(() => {
        expect(
          logger.where(
            (e) =>
              e.object.action === 'drop' && String(get(e.object, 'stanza.id')).startsWith('drop-'),
          ),
        ).toHaveLength(dropped.length)
      })

      for (const [stanza, reason] of dropped) {
        const id = stanza.attrs.id
        const drops = entriesFor(logger, id).filter((e) => e.object.action === 'drop')
        expect(drops, id).toHaveLength(1)
        expect(drops[0]?.object).toMatchObject({
          action: 'drop',
          reason,
          xmpp: { condition: 'bad-request' },
          stanza: { name: stanza.name, type: stanza.attrs.type, id },
        })
        expect(drops[0]?.level).toBe('warn')
        // The error a peer sent us is recorded too, at debug.
        const observed = entriesFor(logger, id).filter((e) => e.object.action === 'observe')
        if (stanza.attrs.type === 'error') {
          expect(observed, id).toHaveLength(1)
          expect(observed[0]?.level).toBe('debug')
          expect(observed[0]?.object).toMatchObject({
            xmpp: { kind: 'stanza', condition: 'item-not-found', type: 'cancel' },
            stanza: { name: stanza.name, type: 'error', id },
          })
        } else {
          expect(observed, id).toEqual([])
        }
      }
    })

    it('logs one record per handled error, with the documented fields', async () => {
      const cases = [
        { id: 'log-sender', name: 'sender' },
        { id: 'log-server', name: 'server' },
        { id: 'log-unknown', name: 'unknown', kind: 'error' },
      ]
      const before = logger.entries.length
      await Promise.all(
        cases.map(({ id, name, kind }) =>
          request(client, xml('iq', { type: 'get', to: c7, id }, xml(name, { xmlns: NS, kind }))),
        ),
      )
      const added = logger.entries.slice(before)
      expect(added).toHaveLength(cases.length)
      const jid = client.jid?.toString()
      const stanza = (id: string) => ({ name: 'iq', type: 'get', id, from: jid, to: c7 })
      const byId = (id: string) => {
        const [entry, ...more] = entriesFor(logger, id)
        expect(more).toEqual([])
        expect(entry?.msg).toBe(entry?.object.msg)
        expect(entry?.level).toBe(entry?.object.level)
        return entry?.object as Record<string, unknown>
      }

      const sender = byId('log-sender')
      expect([sender.level, sender.msg]).toEqual([
        'warn',
        expect.stringContaining('item-not-found'),
      ])
      // The line holds what no other field tells; `xmpp` and `stanza` stay on the record.
      const line = (id: string) => ({ id, from: jid, to: c7 })
      expect(sender).toEqual({
        condition: 'item-not-found',
        type: 'cancel',
        ...line('log-sender'),
        text: 'no such note',
        exposed: true,
        correlationId: expect.any(String),
        action: 'reply',
      })
      expect(sender.xmpp).toEqual({
        kind: 'stanza',
        code: 'item-not-found',
        condition: 'item-not-found',
        type: 'cancel',
        title: 'Item Not Found',
        blame: 'sender',
      })
      expect(sender.stanza).toEqual(stanza('log-sender'))
      expect(sender).not.toHaveProperty('err')

      const serverBlame = byId('log-server')
      expect([serverBlame.level, serverBlame.msg]).toEqual([
        'error',
        expect.stringContaining('resource-constraint'),
      ])
      expect(serverBlame).toEqual({
        condition: 'resource-constraint',
        type: 'wait',
        ...line('log-server'),
        text: 'disk full at /srv/db',
        exposed: false,
        correlationId: expect.any(String),
        action: 'reply',
        err: expect.any(StanzaError),
      })
      expect(serverBlame.xmpp).toEqual({
        kind: 'stanza',
        code: 'resource-constraint',
        condition: 'resource-constraint',
        type: 'wait',
        title: 'Resource Constraint',
        blame: 'server',
      })
      expect(serverBlame.stanza).toEqual(stanza('log-server'))
      expect(get(serverBlame, 'err.stack')).toEqual(expect.stringContaining('resource-constraint'))

      const unknown = byId('log-unknown')
      expect(unknown).toMatchObject({
        level: 'error',
        condition: 'internal-server-error',
        ...line('log-unknown'),
        exposed: false,
        action: 'reply',
      })
      expect(unknown.xmpp).toMatchObject({
        kind: 'stanza',
        condition: 'internal-server-error',
        blame: 'server',
      })
      expect(unknown.stanza).toEqual(stanza('log-unknown'))
      expect(get(unknown, 'err.message')).toBe(SECRET)
      expect(get(unknown, 'err.stack')).toEqual(expect.stringContaining(SECRET))

      // onError gets the very object the logger got, and correlation ids never repeat.
      for (const entry of logger.entries) expect(onErrorRecords).toContain(entry.object)
      expect(onErrorRecords).toHaveLength(logger.entries.length)
      const ids = records(logger).map((r) => r.correlationId)
      expect(new Set(ids).size).toBe(ids.length)
      expect(errorsOf(component)).toEqual([])
    })
  })

  describe('exactly one reply per iq', () => {
    const logger = recordingLogger()
    /** What the routes had returned when the 'late' middleware threw. */
    const lateResults: unknown[] = []
    const modes = ['ok', 'after-await', 'late', 'sync', 'unknown-async'] as const
    type Mode = (typeof modes)[number]
    const expected: Record<Mode, { type: string; condition?: string }> = {
      ok: { type: 'result' },
      'after-await': { type: 'error', condition: 'item-not-found' },
      late: { type: 'error', condition: 'conflict' },
      sync: { type: 'error', condition: 'not-allowed' },
      'unknown-async': { type: 'error', condition: 'internal-server-error' },
    }

    beforeAll(async () => {
      await connectComponent(server, c8, (c) => {
        c.middleware.use(errors({ logger }))
        // After errors(), before the routes: throws once the route has returned its result.
        c.middleware.use(async (ctx, next) => {
          const element = (ctx as { element?: Element }).element
          const result = await next()
          if (element?.attrs.mode === 'late') {
            lateResults.push(result)
            throw new StanzaError('conflict', { text: 'changed meanwhile' })
          }
          return result
        })
        for (const type of ['get', 'set'] as const) {
          c.iqCallee[type](NS, 'op', async ({ element }) => {
            const mode = element.attrs.mode as Mode
            await sleep(Math.floor(Math.random() * 10))
            if (mode === 'after-await') throw new StanzaError('item-not-found')
            if (mode === 'unknown-async') throw new Error(SECRET)
            return xml('op', { xmlns: NS, done: mode })
          })
          // Not async: throws synchronously, inside xmpp.js's middleware dispatch.
          c.iqCallee[type](NS, 'sync', () => {
            throw new StanzaError('not-allowed')
          })
        }
      })
    })

    function iqFor(mode: Mode, type: 'get' | 'set', id: string): Element {
      const name = mode === 'sync' ? 'sync' : 'op'
      return xml('iq', { type, to: c8, id }, xml(name, { xmlns: NS, mode }))
    }

    function expectReply(reply: Element, mode: Mode): void {
      const { type, condition } = expected[mode]
      expect(reply.attrs.type, `${mode}: ${reply}`).toBe(type)
      if (condition) {
        expect(reply.getChild('error')?.getChild(condition, NS_STANZAS), mode).toBeDefined()
      } else {
        expect(reply.getChild('op', NS)?.attrs.done).toBe(mode)
      }
    }

    it.each(modes)('answers %s once', async (mode) => {
      const seen = collect(client, fromDomain(c8))
      const reply = await request(client, iqFor(mode, 'set', `one-${mode}`))
      await expectNoStanza(client, fromDomain(c8), QUIET_MS)
      expect(seen.stop()).toEqual([reply])
      expectReply(reply, mode)
      expect(entriesFor(logger, `one-${mode}`)).toHaveLength(mode === 'ok' ? 0 : 1)
      if (mode === 'late') {
        // The route had answered with a result before the middleware threw.
        expect(String(lateResults.at(-1))).toBe(`<op xmlns="${NS}" done="late"/>`)
      }
    })

    it('answers 50 concurrent iqs of every kind exactly once each', async () => {
      const iqs = Array.from({ length: 50 }, (_, i) => {
        const mode = modes[i % modes.length] as Mode
        return { mode, iq: iqFor(mode, i % 2 ? 'get' : 'set', `many-${i}`) }
      })
      const seen = collect(client, fromDomain(c8))
      const replies = await Promise.all(iqs.map(({ iq }) => request(client, iq)))
      await expectNoStanza(client, fromDomain(c8), QUIET_MS)
      const all = seen.stop()
      expect(all).toHaveLength(50)
      expect(new Set(all.map((s) => s.attrs.id))).toEqual(new Set(iqs.map(({ iq }) => iq.attrs.id)))
      replies.forEach((reply, i) => {
        expectReply(reply, iqs[i]?.mode as Mode)
      })
      // One record per error, none for results.
      for (const { mode, iq } of iqs) {
        expect(entriesFor(logger, iq.attrs.id)).toHaveLength(mode === 'ok' ? 0 : 1)
      }
    })
  })

  describe('a route registered before errors()', () => {
    const logger = recordingLogger()
    let component: Component

    beforeAll(async () => {
      component = await connectComponent(server, c9, (c) => {
        c.iqCallee.get(NS, 'early', () => {
          throw new StanzaError('item-not-found', { text: 'too early' })
        })
        c.middleware.use(errors({ logger }))
        c.iqCallee.get(NS, 'late', () => {
          throw new StanzaError('item-not-found', { text: 'in order' })
        })
      })
    })

    async function early(id: string): Promise<Element> {
      const seen = collect(client, fromDomain(c9))
      const reply = await request(
        client,
        xml('iq', { type: 'get', to: c9, id }, xml('early', { xmlns: NS })),
      )
      await expectNoStanza(client, fromDomain(c9), QUIET_MS)
      expect(seen.stop()).toEqual([reply])
      // xmpp.js's IQ handler answers for it, whatever was thrown.
      const error = reply.getChild('error')
      expect(error?.attrs.type).toBe('cancel')
      expect(error?.getChild('internal-server-error', NS_STANZAS)).toBeDefined()
      expect(reply.toString()).not.toContain('too early')
      return reply
    }

    const wrongOrder = (e: LogEntry) =>
      e.level === 'error' &&
      /errors\(\) before any iqCallee\.get\/set route/.test(e.msg ?? '') &&
      get(e.object, 'err.condition') === 'item-not-found'

    // errors() starts listening for xmpp.js's 'error' when the first element passes it, and that
    // is the server's <handshake/> (nonzas go through the middleware too): so even a first request
    // that never reaches errors() is caught.
    it('logs that the order is wrong, even when that route gets the first stanza', async () => {
      // connectComponent's recording listener, and errors()'s.
      expect(component.listenerCount('error')).toBe(2)
      await early('early-first')
      expect(logger.where(wrongOrder)).toHaveLength(1)
    })

    it('logs that the order is wrong once errors() has seen a stanza', async () => {
      const inOrder = await request(
        client,
        xml('iq', { type: 'get', to: c9, id: 'late-1' }, xml('late', { xmlns: NS })),
      )
      expect(inOrder.getChild('error')?.getChild('item-not-found', NS_STANZAS)).toBeDefined()
      const before = logger.where(wrongOrder).length
      await early('early-second')
      expect(logger.where(wrongOrder)).toHaveLength(before + 1)
      // xmpp.js emitted what the early route threw.
      expect(errorsOf(component).filter((e) => e instanceof StanzaError).length).toBeGreaterThan(0)
    })
  })

  describe('without an error listener', () => {
    it('survives every kind of throw with only errors() installed', async () => {
      const logger = recordingLogger()
      const processListeners = {
        uncaughtException: process.listenerCount('uncaughtException'),
        unhandledRejection: process.listenerCount('unhandledRejection'),
      }
      const c = makeComponent({
        service: `xmpp://${server.host}:${server.componentPort}`,
        domain: c10,
        password: server.componentSecret,
      })
      c.reconnect.delay = RECONNECT_DELAY_MS
      // Placed before errors(): what it throws reaches xmpp.js's IQ handler, which emits 'error'.
      c.iqCallee.get(NS, 'early', () => {
        throw new StanzaError('item-not-found')
      })
      c.middleware.use(errors({ logger }))
      c.middleware.use((ctx, next) => {
        if (ctx.name === 'message') throw new Error(`message ${SECRET}`)
        return next()
      })
      c.iqCallee.get(NS, 'throw', ({ element }) => {
        switch (element.attrs.kind) {
          case 'stanza':
            throw new StanzaError('not-allowed')
          case 'error':
            throw new Error(SECRET)
          case 'string':
            throw SECRET
          case 'stream':
            throw new StreamError('policy-violation', { text: 'no-crash stream error' })
          default:
            return xml('throw', { xmlns: NS })
        }
      })
      expect(c.listenerCount('error')).toBe(0)
      try {
        await c.start()
        // errors() saw the server's <handshake/> and listens; nothing else does.
        expect(c.listenerCount('error')).toBe(1)
        const ask = (kind: string) =>
          request(client, xml('iq', { type: 'get', to: c10 }, xml('throw', { xmlns: NS, kind })))

        for (const kind of ['stanza', 'error', 'string']) {
          expect((await ask(kind)).attrs.type, kind).toBe('error')
        }
        const early = await request(
          client,
          xml('iq', { type: 'get', to: c10 }, xml('early', { xmlns: NS })),
        )
        expect(early.getChild('error')?.getChild('internal-server-error', NS_STANZAS)).toBeDefined()
        expect(logger.where((e) => /before any iqCallee/.test(e.msg ?? ''))).toHaveLength(1)
        const messageReply = nextStanza(client, (s) => s.attrs.id === 'no-crash-message')
        await client.send(xml('message', { to: `bot@${c10}`, id: 'no-crash-message' }))
        expect((await messageReply).getChild('error')?.attrs.type).toBe('cancel')

        // The server drops the socket after a stream error, and xmpp.js often emits the reset
        // (ECONNRESET) as 'error': a few rounds make that likely.
        for (let round = 1; round <= STREAM_ROUNDS; round++) {
          const disconnected = new Promise((resolve) => c.once('disconnect', resolve))
          const online = disconnected.then(
            () => new Promise((resolve) => c.once('online', resolve)),
          )
          await client.send(
            xml(
              'iq',
              { type: 'get', to: c10, id: `no-crash-stream-${round}` },
              xml('throw', { xmlns: NS, kind: 'stream' }),
            ),
          )
          await online
          expect((await ask('none')).attrs.type).toBe('result')
        }

        expect(c.listenerCount('error')).toBe(1)
        expect(process.listenerCount('uncaughtException')).toBe(processListeners.uncaughtException)
        expect(process.listenerCount('unhandledRejection')).toBe(
          processListeners.unhandledRejection,
        )
        expect(records(logger).filter((r) => r.action === 'close')).toHaveLength(STREAM_ROUNDS)
      } finally {
        c.reconnect.stop()
        await c.stop().catch(() => {})
      }
    })

    /** Runs a component on c10 in a child process; resolves once it is online. */
    async function childComponent(withErrors: boolean): Promise<{
      child: ChildProcess
      output: () => string
      exited: Promise<number | null>
    }> {
      const script = `
        import { component, xml } from '@xmpp/component'
        const server = JSON.parse(process.env.XMPP_TEST_SERVER)
        const c = component({
          service: 'xmpp://' + server.host + ':' + server.componentPort,
          domain: process.env.XMPP_TEST_DOMAIN,
          password: server.componentSecret,
        })
        c.reconnect.stop()
        if (process.env.XMPP_TEST_WITH_ERRORS === '1') {
          const { errors } = await import('@xmpp-errors/middleware')
          const log = (level) => (object, msg) => console.log(level + ' ' + msg)
          c.middleware.use(errors({ logger: { debug() {}, warn: log('warn'), error: log('error') } }))
        }
        c.middleware.use((ctx, next) => {
          if (ctx.name === 'message') throw new Error('child handler failed')
          return next()
        })
        c.iqCallee.get('${NS}', 'ping', () => xml('ping', { xmlns: '${NS}' }))
        await c.start()
        console.log('online')
      `
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        // Resolves @xmpp/component and @xmpp-errors/middleware as this package does.
        cwd: testDir,
        env: {
          ...process.env,
          XMPP_TEST_SERVER: JSON.stringify(server),
          XMPP_TEST_DOMAIN: c10,
          XMPP_TEST_WITH_ERRORS: withErrors ? '1' : '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let output = ''
      child.stdout?.on('data', (d) => {
        output += d
      })
      child.stderr?.on('data', (d) => {
        output += d
      })
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
      const deadline = Date.now() + 10_000
      while (!/^online$/m.test(output)) {
        if (child.exitCode !== null || Date.now() > deadline) {
          child.kill('SIGKILL')
          throw new Error(`child component did not come online:\n${output}`)
        }
        await sleep(20)
      }
      return { child, output: () => output, exited }
    }

    it('is needed: without errors(), a throwing handler kills the process', async () => {
      const { child, output, exited } = await childComponent(false)
      try {
        await client.send(xml('message', { to: `bot@${c10}`, id: 'child-crash' }))
        const code = await Promise.race([exited, sleep(5_000).then(() => 'still running')])
        expect(code, output()).not.toBe('still running')
        expect(code).not.toBe(0)
        expect(output()).toContain('child handler failed')
      } finally {
        child.kill('SIGKILL')
      }
    })

    it('is enough: with errors(), the same process answers and keeps running', async () => {
      const { child, output, exited } = await childComponent(true)
      try {
        const reply = nextStanza(client, (s) => s.attrs.id === 'child-survives')
        await client.send(xml('message', { to: `bot@${c10}`, id: 'child-survives' }))
        const error = (await reply).getChild('error')
        expect(error?.getChild('internal-server-error', NS_STANZAS)).toBeDefined()
        const pong = await request(
          client,
          xml('iq', { type: 'get', to: c10 }, xml('ping', { xmlns: NS })),
        )
        expect(pong.attrs.type).toBe('result')
        expect(child.exitCode, output()).toBeNull()
        expect(output()).toMatch(/^error unhandled exception .*message/m)
      } finally {
        child.kill('SIGTERM')
        await exited
      }
    })
  })
})

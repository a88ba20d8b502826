import { setTimeout as sleep } from 'node:timers/promises'
import { NS_STANZAS, type StreamCondition, streamConditions } from '@xmpp-errors/conditions'
import { type ErrorRecord, errors, StreamError, streamErrorLevels } from '@xmpp-errors/middleware'
import { get, recordingLogger } from '@xmpp-errors/testing'
import {
  type Client,
  type Component,
  collect,
  connectClient,
  connectComponent,
  type Element,
  errorsOf,
  request,
  stopAll,
  xml,
} from '@xmpp-errors/throwaway-clients'
import type { ServerInfo } from '@xmpp-errors/throwaway-servers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { componentOf, logSize, servers, userOf, waitForLog } from './src/suite.js'

// Every stream condition of RFC 6120 §4.9.3, thrown by a handler of a real @xmpp/component: the
// server must receive that <stream:error/> with its text, the stream must close, and the component
// must come back (except after system-shutdown or with afterStreamError: 'stop').
// This file uses components c4, c5, c6 and user u4.

const NS = 'urn:example:stream-conditions'
/** Reconnect delay of xmpp.js's reconnect plugin in these tests (default 1000 ms). */
const RECONNECT_DELAY_MS = 50
/** How long to wait for something that must not happen (a reconnect, a reply). */
const QUIET_MS = 300
/** Tries of the stays-offline tests (see expectStaysOffline). */
const OFFLINE_ATTEMPTS = 8

afterAll(stopAll)

const textFor = (condition: string) => `stream ${condition}`

function streamErrorFor(condition: StreamCondition): StreamError {
  return condition === 'see-other-host'
    ? new StreamError('see-other-host', { text: textFor(condition), host: 'other.example:5347' })
    : new StreamError(condition, { text: textFor(condition) })
}

// ---------------------------------------------------------------------------------------------
// Server-specific: how to tell, from the server's own log, that it received the stream error.
// ---------------------------------------------------------------------------------------------

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A pattern that matches when `server` logged receiving `condition` with `text` from `domain`. */
type StreamErrorSighting = (
  server: ServerInfo,
  domain: string,
  condition: string,
  text: string,
) => RegExp

const sightings: Record<ServerInfo['kind'], StreamErrorSighting> = {
  // mod_component logs, per session ("<date> <session id>\tinfo\t<message>"):
  //   Session closed by remote with error: <condition> (<text>)
  //   component disconnected: <domain> (stream error)
  prosody: (_server, domain, condition, text) =>
    new RegExp(
      `^(?:[^\\t\\n]* )?(\\S+)\\tinfo\\tSession closed by remote with error: ${escapeRegExp(
        `${condition} (${text})`,
      )}$[\\s\\S]*?^(?:[^\\t\\n]* )?\\1\\tinfo\\tcomponent disconnected: ${escapeRegExp(domain)} \\(`,
      'm',
    ),
  // ejabberd (loglevel debug) logs the XML of each stream, then the route going away:
  //   <date> [notice] <0.472.0> (tcp|<0.472.0>) Received XML on stream = <<"<stream:error>…">>
  //   <date> [debug] <0.472.0>@ejabberd_router:unregister_route/2:204 Route unregistered: <domain>
  // The XML is as the component wrote it, inside an Erlang binary (so `"` appears as `\"`). The
  // closing </stream:stream> that follows it may arrive in the same read, and then in the same line.
  ejabberd: (_server, domain, condition, text) => {
    const ns = escapeRegExp('xmlns=\\"urn:ietf:params:xml:ns:xmpp-streams\\"')
    return new RegExp(
      `^[^[\\n]*\\[notice\\] (<[\\d.]+>) \\(tcp\\|\\1\\) Received XML on stream = <<"<stream:error>` +
        `<${escapeRegExp(condition)} ${ns}(?:/>|>[^<]*</${escapeRegExp(condition)}>)` +
        `<text ${ns}>${escapeRegExp(text)}</text></stream:error>(?:</stream:stream>)?">>$` +
        `[\\s\\S]*?^[^[\\n]*\\[debug\\] \\1@ejabberd_router:unregister_route/\\d+:\\d+ ` +
        `Route unregistered: ${escapeRegExp(domain)}$`,
      'm',
    )
  },
}

/** Checks `reply` is what the server sends for a component that is not connected. */
const expectBounce: Record<ServerInfo['kind'], (reply: Element, domain: string) => void> = {
  // mod_component: error_reply(stanza, "wait", "remote-server-timeout", "Component unavailable",
  // module.host) plus <not-connected xmlns='xmpp:prosody.im/protocol/component'/>.
  prosody: (reply, domain) => {
    expect(reply.attrs).toMatchObject({ type: 'error', from: domain })
    const error = reply.getChild('error')
    expect(error?.attrs.type).toBe('wait')
    expect(error?.getChild('remote-server-timeout', NS_STANZAS)).toBeDefined()
    expect(error?.getChildText('text', NS_STANZAS)).toBe('Component unavailable')
    expect(error?.getChild('not-connected', 'xmpp:prosody.im/protocol/component')).toBeDefined()
  },
  // ejabberd unregisters the component's route, so c5.localhost looks like a remote domain, and
  // s2s is off in the test config: the router answers forbidden (auth) in the component's name.
  ejabberd: (reply, domain) => {
    expect(reply.attrs).toMatchObject({ type: 'error', from: domain })
    const error = reply.getChild('error')
    expect(error?.attrs.type).toBe('auth')
    expect(error?.getChild('forbidden', NS_STANZAS)).toBeDefined()
    expect(error?.getChildText('text', NS_STANZAS)).toBe('Access denied by service policy')
  },
}

// ---------------------------------------------------------------------------------------------

/** Status changes and raw output of a component, in order. */
interface Trace {
  events: Array<{ status: string } | { output: string }>
}

function traceOf(c: Component): Trace {
  const trace: Trace = { events: [] }
  c.on('status', (status) => trace.events.push({ status }))
  c.on('output', (output) => trace.events.push({ output: String(output) }))
  return trace
}

/** What the component wrote from its <stream:error/> on, until it connected again (if it did). */
function writtenAfterStreamError(trace: Trace, from: number): string[] {
  const events = trace.events.slice(from)
  const start = events.findIndex((e) => 'output' in e && e.output.startsWith('<stream:error'))
  if (start === -1) return []
  const end = events.findIndex((e, i) => i > start && 'status' in e && e.status === 'connecting')
  return events
    .slice(start, end === -1 ? undefined : end)
    .flatMap((e) => ('output' in e ? [e.output] : []))
}

function once(c: Component, event: string, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off(event, listener)
      reject(new Error(`no '${event}' within ${timeoutMs} ms`))
    }, timeoutMs)
    const listener = () => {
      clearTimeout(timer)
      resolve()
    }
    c.once(event, listener)
  })
}

function ping(client: Client, to: string): Promise<Element> {
  return request(client, xml('iq', { type: 'get', to }, xml('ping', { xmlns: NS })))
}

function streamIq(to: string, id: string, condition: string): Element {
  return xml('iq', { type: 'get', to, id }, xml('stream', { xmlns: NS, condition }))
}

describe.each(servers)('stream conditions through $kind', (server) => {
  const u4 = userOf(server, 'u4')
  const c4 = componentOf(server, 'c4')
  const c5 = componentOf(server, 'c5')
  const c6 = componentOf(server, 'c6')
  const sighting = sightings[server.kind]
  let client: Client

  beforeAll(async () => {
    client = await connectClient(server, u4, { resource: 'stream-conditions' })
  })

  /** A component whose `<stream condition=…/>` route throws that StreamError. */
  async function streamComponent(
    domain: string,
    options: { afterStreamError?: 'stop' } = {},
  ): Promise<{ component: Component; records: () => ErrorRecord[]; trace: Trace }> {
    const logger = recordingLogger()
    let trace: Trace = { events: [] }
    const component = await connectComponent(server, domain, (c) => {
      c.reconnect.delay = RECONNECT_DELAY_MS
      trace = traceOf(c)
      c.middleware.use(errors({ logger, ...options }))
      c.iqCallee.get(NS, 'stream', ({ element }) => {
        throw streamErrorFor(element.attrs.condition as StreamCondition)
      })
      c.iqCallee.get(NS, 'ping', () => xml('ping', { xmlns: NS }))
    })
    // What errors() logged, checking each went out at the level the record names.
    const records = () =>
      logger.entries.map(({ level, object }) => {
        expect(object.level).toBe(level)
        return object as unknown as ErrorRecord
      })
    return { component, records, trace }
  }

  it('sends each of the 25 conditions, closes the stream and comes back', async () => {
    expect(streamConditions).toHaveLength(25)
    const { component, records, trace } = await streamComponent(c4)
    expect((await ping(client, c4)).attrs.type).toBe('result')

    const reconnecting = streamConditions.filter((c) => c !== 'system-shutdown')
    for (const condition of reconnecting) {
      const id = `stream-${condition}`
      const offset = await logSize(server.logFile)
      const from = trace.events.length
      const answers = collect(client, (s) => s.attrs.id === id)
      const disconnected = once(component, 'disconnect')
      const online = disconnected.then(() => once(component, 'online'))

      await client.send(streamIq(c4, id, condition))
      await disconnected
      await waitForLog(server.logFile, offset, sighting(server, c4, condition, textFor(condition)))
      await online
      const pong = await ping(client, c4)

      expect(pong.attrs.type, condition).toBe('result')
      expect(pong.getChild('ping', NS)).toBeDefined()
      // What the component wrote on the dying stream: the stream error, then only its close tag.
      const written = writtenAfterStreamError(trace, from)
      expect(written[0], condition).toBe(streamErrorFor(condition).toElement().toString())
      expect(written.slice(1), condition).toEqual(written.length > 1 ? ['</stream:stream>'] : [])
      // The iq that caused it is never answered: not by the component, not by the server.
      expect(answers.stop(), condition).toEqual([])
    }

    // One record per stream error, at its condition's level, with a stack at 'error' only.
    expect(records().map((r) => r.xmpp.condition)).toEqual(reconnecting)
    for (const [i, record] of records().entries()) {
      const condition = reconnecting[i] as StreamCondition
      expect(record).toMatchObject({
        level: streamErrorLevels[condition],
        action: 'close',
        xmpp: { kind: 'stream', code: `stream-${condition}`, condition, blame: undefined },
        stanza: { name: 'iq', type: 'get', id: `stream-${condition}`, to: c4 },
        text: textFor(condition),
        exposed: true,
      })
      if (record.level === 'error') expect(get(record, 'err.stack')).toEqual(expect.any(String))
      else expect(record.err).toBeUndefined()
    }
    // The server drops the socket right after the stream error, so xmpp.js may emit socket
    // errors (ECONNRESET) as the component writes its closing tag; nothing else.
    for (const error of errorsOf(component)) {
      expect((error as NodeJS.ErrnoException).code).toMatch(/^(ECONNRESET|EPIPE)$/)
    }
  })

  /**
   * Throws `condition` from a fresh component on `domain` and checks it goes offline for good.
   * Tried a few times, because one attempt can pass by luck: errors() calls entity.stop(), but
   * when the server's reset (ECONNRESET) makes xmpp.js's disconnect() settle before the socket's
   * 'close', stop() sets 'offline' first and the late 'close' sets 'disconnect' again, which the
   * reconnect plugin (never stopped) acts on. Seen in about half of the attempts with Prosody.
   */
  async function expectStaysOffline(
    domain: string,
    condition: StreamCondition,
    options: { afterStreamError?: 'stop' } = {},
  ): Promise<void> {
    for (let attempt = 1; attempt <= OFFLINE_ATTEMPTS; attempt++) {
      const { component, records, trace } = await streamComponent(domain, options)
      try {
        const id = `stream-${condition}-${attempt}`
        const offset = await logSize(server.logFile)
        const from = trace.events.length
        const answers = collect(client, (s) => s.attrs.id === id)
        const offline = once(component, 'offline')
        await client.send(streamIq(domain, id, condition))
        await offline
        await waitForLog(
          server.logFile,
          offset,
          sighting(server, domain, condition, textFor(condition)),
        )
        // Long enough for the reconnect plugin to have tried, had it been asked to.
        await sleep(RECONNECT_DELAY_MS + QUIET_MS / 2)
        const after = trace.events.slice(from)
        expect(after, `attempt ${attempt}: reconnected`).not.toContainEqual({
          status: 'connecting',
        })
        // Down for good. xmpp.js may say 'disconnect' rather than 'offline' here: when the reset
        // makes stop() finish before the socket's 'close', that late 'close' sets 'disconnect'.
        expect(['offline', 'disconnect']).toContain(component.status)
        expect(writtenAfterStreamError(trace, from)).toEqual([
          streamErrorFor(condition).toElement().toString(),
          '</stream:stream>',
        ])
        expect(records()).toHaveLength(1)
        expect(records()[0]).toMatchObject({
          level: streamErrorLevels[condition as StreamCondition],
          action: 'close',
        })
        // With the component gone, the server answers for it.
        const probe = await ping(client, domain)
        expectBounce[server.kind](probe, domain)
        expect(answers.stop()).toEqual([])
      } finally {
        component.reconnect.stop()
        await component.stop().catch(() => {})
      }
    }
  }

  it('stays offline after system-shutdown', async () => {
    await expectStaysOffline(c5, 'system-shutdown')
  })

  it("stays offline with afterStreamError: 'stop'", async () => {
    await expectStaysOffline(c6, 'policy-violation', { afterStreamError: 'stop' })
  })
})

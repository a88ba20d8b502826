import parse from '@xmpp/xml/lib/parse.js'
import type { StreamCondition } from '@xmpp-errors/conditions'
import { StreamError, type XmlElement } from '@xmpp-errors/errors'
import type { ErrorRecord } from '@xmpp-errors/middleware'
import type { Script, ScriptedStreamError } from './behaviours.js'
import { isErrorRecord, type LogEntry, type RecordingLogger, recordingLogger } from './logger.js'
import { type EntityKind, type Link, MemoryServer } from './server.js'
import { installSocket, readAsParsed, reconnectDelay, setReconnectDelay } from './xmpp-internals.js'

/** A stream that was closed with `<stream:error/>`, by the entity or by the server. */
export interface StreamClose {
  by: 'entity' | 'server'
  /** The condition as written; `undefined-condition` when none of RFC 6120 §4.9.3 was. */
  condition: StreamCondition
  text: string | undefined
  /** The `<stream:error/>` as written. */
  element: XmlElement
  /**
   * What followed: `reconnect` once a new connection came online, `stop` once the entity went
   * offline for good; undefined until one of them happened (a backoff may still be running).
   */
  after: 'reconnect' | 'stop' | undefined
}

/** One stanza sent to the entity, and everything that came of it. */
export interface Exchange {
  /** What was sent, as given. */
  readonly stanza: XmlElement | string
  /** Each string the entity wrote in answer, as written to the socket. */
  readonly written: string[]
  /** The same, parsed: stanzas and `<stream:error/>`. */
  readonly elements: XmlElement[]
  /** The records errors() and guard() produced for it. */
  readonly records: ErrorRecord[]
  /** Every log entry made for it, records included. */
  readonly log: LogEntry[]
  /** The streams it got closed. */
  readonly closes: StreamClose[]
  /**
   * What the entity threw while reading the stanza. On a real socket this throw escapes the
   * socket's 'data' handler and ends the process.
   */
  threw: { error: unknown } | undefined
}

/** What the setup function gets beside the entity. */
export interface SetupTools {
  /** A pino-compatible logger: give it to errors() and guard() to see their records. */
  logger: RecordingLogger
}

export type Setup<E> = (entity: E, tools: SetupTools) => unknown

export interface TestEntityOptions {
  /** The component's domain, or the client's server domain. Default `component.example.org` or `example.org`. */
  domain?: string
  /** The `from` a sent stanza gets when it has none. Default `peer@example.org/test`. */
  from?: string
  /** What the server does on each connection: one script for all, or one per index (0 first). */
  script?: Script
  /**
   * The reconnect plugin's delay, in ms. Default 0, where xmpp.js waits 1000: a test sees the
   * reconnect at once.
   */
  reconnectDelay?: number
  /** A logger of your own to record into (for an entity built before `attach`). */
  logger?: RecordingLogger
}

/** The parts of an xmpp.js entity (a `Component`, a `Client`) the test entity drives. */
export interface DrivableEntity {
  status: string
  jid?: { toString(): string } | null
  Socket?: unknown
  transports?: unknown[]
  start(): Promise<unknown>
  stop(): Promise<unknown>
  on(event: 'status', listener: (status: string) => void): unknown
  reconnect?: { stop(): void }
}

export interface FeedOptions {
  /**
   * Hand the element to the entity as its stream parser hands over what it read, without the
   * round trip through text: for what no serializer writes (a character XML forbids, say), or
   * for a handler that must get this very object. It is handed over as it is: no `to` or `from`
   * is filled in. Default false: the element goes on the wire.
   */
  parsed?: boolean
}

export interface TestEntity<E> {
  /** The xmpp.js entity, as the setup function got it. */
  readonly entity: E
  readonly domain: string
  readonly logger: RecordingLogger
  /** Everything the entity wrote while online, since it started or `clear()`. */
  readonly written: string[]
  /** The same, parsed. */
  readonly elements: XmlElement[]
  /** Every record of errors() and guard(), since it started or `clear()`. */
  readonly records: ErrorRecord[]
  readonly closes: StreamClose[]
  /** The entity's statuses, in order (xmpp.js's 'status' events). */
  readonly statuses: string[]
  /** Connections opened so far. */
  readonly connections: number
  /**
   * Sends `stanza` (an element or a string of XML) through the socket, and resolves once the
   * entity has done all it does in answer. An element without `to` gets the entity's address,
   * without `from` the `from` option.
   */
  send(stanza: XmlElement | string, options?: FeedOptions): Promise<Exchange>
  /** As `send`, without waiting: the exchange fills in as the entity answers (see `settle`). */
  feed(stanza: XmlElement | string, options?: FeedOptions): Exchange
  /**
   * Sends an IQ get or set (an `id` is added if it has none) and resolves with its one reply;
   * rejects, with what was written and recorded, when there is none or more than one.
   */
  request(iq: XmlElement | string): Promise<XmlElement>
  /** The server sends `<stream:error/>` and closes; resolves with what the entity did about it. */
  streamError(error: ScriptedStreamError): Promise<Exchange>
  /**
   * The server stops reading: what the entity writes waits in the socket, its write callbacks
   * wait, and `write()` returns false past the high-water mark (16 KiB, as Node 20's).
   */
  stopReading(): Promise<Exchange>
  /** The server reads what waits, and the socket emits 'drain' if a write returned false. */
  resumeReading(): Promise<Exchange>
  /** The server writes the start of a stanza and closes the connection in the middle of it. */
  closeMidStanza(): Promise<Exchange>
  /** The server closes the connection at once, without a word. */
  destroy(): Promise<Exchange>
  /**
   * Resolves once the entity is online (again: after a backoff of guard(), say, which runs on
   * its own timers) and settled; rejects after `timeoutMs` (default 5000).
   */
  online(timeoutMs?: number): Promise<void>
  /** Resolves once the entity has nothing left to do that the test could see. */
  settle(): Promise<void>
  /** Forgets what was written, recorded and closed, and the statuses. */
  clear(): void
  /** Stops the entity (and its reconnect plugin): no socket, no timer left. */
  stop(): Promise<void>
}

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve))
/** Rounds without anything happening before `settle` calls the entity idle. */
const IDLE_ROUNDS = 2
const MAX_ROUNDS = 10_000
/** How long past the reconnect delay `settle` waits for a reconnect. */
const RECONNECT_GRACE_MS = 5
const STANZAS = new Set(['iq', 'message', 'presence'])

/** Anything with a name, attributes and a serialization: an ltx element of any copy. */
function isElementLike(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && 'attrs' in value && 'name' in value
}

function newExchange(stanza: XmlElement | string): Exchange {
  return {
    stanza,
    written: [],
    elements: [],
    records: [],
    log: [],
    closes: [],
    threw: undefined,
  }
}

function closeOf(by: StreamClose['by'], element: XmlElement): StreamClose {
  const error = StreamError.fromElement(element)
  return { by, condition: error.condition, text: error.text, element, after: undefined }
}

/**
 * Puts `entity` (built, not started) on a socket in memory, starts it, and resolves once it is
 * online, or once it has settled short of that (a script can keep it offline).
 */
export async function attach<E extends DrivableEntity>(
  entity: E,
  options: TestEntityOptions = {},
): Promise<TestEntity<E>> {
  const kind: EntityKind = Array.isArray(entity.transports) ? 'client' : 'component'
  const domain = options.domain ?? defaultDomain(kind)
  const from = options.from ?? 'peer@example.org/test'
  const all = newExchange('')
  /** Sent, and not yet settled. */
  const inFlight = new Set<Exchange>()
  /** Each exchange by the `id` and `from` of its stanza: the reply's `id` and `to`. */
  const byRequest = new Map<string, Exchange>()
  const statuses: string[] = []
  let activity = 0
  let wake: (() => void) | undefined
  /** Something happened that a test could see: `settle` goes on. */
  const bump = () => {
    activity += 1
    wake?.()
  }
  /** Resolves on the next `bump`, or after `ms`. */
  const nextActivity = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
      wake = done
    })
  let openCloses: StreamClose[] = []
  let nextId = 0
  const onlineWaiters: Array<() => void> = []

  /**
   * Whose answer something is: the exchange whose stanza it correlates with (a reply's `id` and
   * `to` are the request's `id` and `from`, RFC 6120 §8.1.2.1; a record names its stanza), else
   * the one exchange in flight. With several in flight and no correlation, no exchange's.
   */
  const owner = (key: string | undefined): Exchange | undefined => {
    const correlated = key === undefined ? undefined : byRequest.get(key)
    if (correlated !== undefined) return correlated
    if (inFlight.size !== 1) return undefined
    const [only] = inFlight
    return only
  }
  const logger = options.logger ?? recordingLogger()
  logger.listen((entry) => {
    bump()
    const record = isErrorRecord(entry.object) ? entry.object : undefined
    const exchange = owner(record && requestKey(record.stanza.id, record.stanza.from))
    for (const into of exchange === undefined ? [all] : [all, exchange]) {
      into.log.push(entry)
      if (record !== undefined) into.records.push(record)
    }
  })

  /** A close ends every exchange in flight. */
  const closed = (close: StreamClose) => {
    openCloses.push(close)
    for (const exchange of [all, ...inFlight]) exchange.closes.push(close)
  }
  const server = new MemoryServer(kind, domain, options.script ?? {}, {
    online: (connection) => {
      bump()
      for (const waiter of onlineWaiters.splice(0)) waiter()
      if (connection > 1) for (const close of openCloses) close.after ??= 'reconnect'
      openCloses = []
    },
    wrote: (data, elements) => {
      bump()
      all.written.push(data)
      let writer: Exchange | undefined
      for (const element of elements) {
        all.elements.push(element)
        const exchange = owner(requestKey(element.attrs.id, element.attrs.to))
        exchange?.elements.push(element)
        writer ??= exchange
        if (element.name === 'stream:error') closed(closeOf('entity', element))
      }
      ;(writer ?? owner(undefined))?.written.push(data)
    },
    streamError: (element) => closed(closeOf('server', element)),
  })
  installSocket(entity, server.Socket)
  setReconnectDelay(entity, options.reconnectDelay ?? 0)
  entity.on('status', (status) => {
    bump()
    statuses.push(status)
    if (status === 'offline') for (const close of openCloses) close.after ??= 'stop'
  })

  async function settle(): Promise<void> {
    let idle = 0
    for (let round = 0; round < MAX_ROUNDS && idle < IDLE_ROUNDS; round++) {
      const before = activity
      await immediate()
      idle = activity === before ? idle + 1 : 0
      // A reconnect waits on a timer, which setImmediate turns do not reach: give a short one
      // (the reconnect plugin's, or a guard() backoff as short) the time to fire.
      const delay = reconnectDelay(entity)
      if (idle === IDLE_ROUNDS && entity.status === 'disconnect' && delay <= 50) {
        await nextActivity(delay + RECONNECT_GRACE_MS)
        idle = activity === before ? idle : 0
      }
    }
    inFlight.clear()
  }

  function addressed(stanza: XmlElement | string): XmlElement | string {
    if (typeof stanza === 'string') return stanza
    if (!isElementLike(stanza))
      throw new TypeError('send(): a stanza is an XML element or a string')
    if (stanza.attrs.to === undefined) stanza.attrs.to = entity.jid?.toString() ?? domain
    if (stanza.attrs.from === undefined) stanza.attrs.from = from
    return stanza
  }

  /** Sends nothing: files `exchange` as in flight, and under its stanza's `id` and `from`. */
  function track(exchange: Exchange, stanza: XmlElement | string): void {
    inFlight.add(exchange)
    const element = typeof stanza === 'string' ? parseOrNothing(stanza) : stanza
    const key = element && requestKey(element.attrs.id, element.attrs.from)
    if (key !== undefined) byRequest.set(key, exchange)
  }

  let crashed = false
  function feed(stanza: XmlElement | string, { parsed = false }: FeedOptions = {}): Exchange {
    const exchange = newExchange(stanza)
    const addressedStanza = parsed ? stanza : addressed(stanza)
    if (server.live === undefined) {
      throw new Error(`send(): the entity is ${entity.status}, not connected; nothing was sent`)
    }
    if (parsed && typeof addressedStanza === 'string') {
      throw new TypeError('send(): { parsed: true } takes an element, not a string')
    }
    track(exchange, addressedStanza)
    try {
      if (parsed) readAsParsed(entity, addressedStanza as XmlElement)
      else server.push(addressedStanza.toString())
    } catch (error) {
      exchange.threw = { error }
      crashed = true
    }
    return exchange
  }

  async function send(stanza: XmlElement | string, options?: FeedOptions): Promise<Exchange> {
    const exchange = feed(stanza, options)
    await settle()
    return exchange
  }

  async function request(iq: XmlElement | string): Promise<XmlElement> {
    if (isElementLike(iq) && iq.attrs.id === undefined) iq.attrs.id = `test-${++nextId}`
    const exchange = await send(iq)
    const replies = exchange.elements.filter((el) => STANZAS.has(el.name))
    const [reply] = replies
    if (replies.length === 1 && reply !== undefined) return reply
    throw new Error(
      `request(): ${replies.length === 0 ? 'no reply' : `${replies.length} replies`} to ${String(exchange.stanza)}\n${describeExchange(exchange)}`,
    )
  }

  /** Has the server do something on the live connection; resolves with what followed. */
  async function serverDoes(what: (link: Link) => void): Promise<Exchange> {
    const link = server.connected()
    const exchange = newExchange('')
    inFlight.add(exchange)
    what(link)
    await settle()
    return exchange
  }

  function online(timeoutMs = 5_000): Promise<void> {
    if (entity.status === 'online') return settle()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        onlineWaiters.splice(onlineWaiters.indexOf(done), 1)
        reject(
          new Error(`online(): not online again within ${timeoutMs} ms (status ${entity.status})`),
        )
      }, timeoutMs)
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      onlineWaiters.push(done)
    }).then(settle)
  }

  async function stop(): Promise<void> {
    entity.reconnect?.stop()
    server.release()
    // A throw out of the parser leaves it half way through the data, never to end the stream:
    // the connection goes down as the process would have, not after xmpp.js's 2 s close timeout.
    if (crashed) server.live?.close()
    await settle()
    if (entity.status !== 'offline') await entity.stop().catch(() => {})
    await settle()
  }

  entity.start().catch(() => {})
  await settle()

  return {
    entity,
    domain,
    logger,
    get written() {
      return all.written
    },
    get elements() {
      return all.elements
    },
    get records() {
      return all.records
    },
    get closes() {
      return all.closes
    },
    statuses,
    get connections() {
      return server.connections
    },
    send,
    feed,
    request,
    streamError: (error) => serverDoes((link) => link.streamError(error)),
    stopReading: () => serverDoes((link) => link.stopReading()),
    resumeReading: () => serverDoes((link) => link.resumeReading()),
    closeMidStanza: () => serverDoes((link) => link.closeMidStanza()),
    destroy: () => serverDoes((link) => link.close()),
    online,
    settle,
    clear() {
      for (const list of [all.written, all.elements, all.records, all.log, all.closes, statuses]) {
        list.length = 0
      }
      byRequest.clear()
    },
    stop,
  }
}

function requestKey(id: unknown, from: unknown): string | undefined {
  return typeof id === 'string' && typeof from === 'string' ? `${id}\0${from}` : undefined
}

function parseOrNothing(data: string): XmlElement | undefined {
  try {
    return parse(data) ?? undefined
  } catch {
    return undefined
  }
}

function defaultDomain(kind: EntityKind): string {
  return kind === 'component' ? 'component.example.org' : 'example.org'
}

/** The exchange as a failure message shows it: what was sent, written and recorded. */
export function describeExchange(exchange: Exchange): string {
  const lines = [`sent: ${String(exchange.stanza)}`]
  lines.push(exchange.written.length === 0 ? 'written: nothing' : 'written:')
  for (const data of exchange.written) lines.push(`  ${data}`)
  lines.push(...describeRecords(exchange.records))
  if (exchange.threw) lines.push(`threw: ${String(exchange.threw.error)}`)
  return lines.join('\n')
}

export function describeRecords(records: readonly ErrorRecord[]): string[] {
  if (records.length === 0) return ['records: none']
  return [
    'records:',
    ...records.map(
      (r) =>
        `  ${r.level} ${r.action} ${r.xmpp.kind} ${r.xmpp.condition}${r.xmpp.type ? ` (${r.xmpp.type})` : ''}${r.text === undefined ? '' : ` ${JSON.stringify(r.text)}`} [${r.correlationId}]`,
    ),
  ]
}

import { AsyncLocalStorage } from 'node:async_hooks'
import type { StreamCondition } from '@xmpp-errors/conditions'
import { StreamError, type XmlElement } from '@xmpp-errors/errors'
import type { ErrorRecord } from '@xmpp-errors/middleware'
import type { ServerBehaviour } from './behaviours.js'
import { isErrorRecord, type LogEntry, type RecordingLogger, recordingLogger } from './logger.js'
import { type EntityKind, MemoryServer, type MemorySocket } from './server.js'

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
  /** What the server does wrong, connection by connection (the first entry, the first connection). */
  script?: readonly (ServerBehaviour | undefined)[]
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
  reconnect?: { delay: number; stop(): void }
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
  send(stanza: XmlElement | string): Promise<Exchange>
  /** As `send`, without waiting: the exchange fills in as the entity answers (see `settle`). */
  feed(stanza: XmlElement | string): Exchange
  /**
   * Sends an IQ get or set (an `id` is added if it has none) and resolves with its one reply;
   * rejects, with what was written and recorded, when there is none or more than one.
   */
  request(iq: XmlElement | string): Promise<XmlElement>
  /** Makes the server misbehave now; resolves with what the entity did about it. */
  fault(behaviour: ServerBehaviour): Promise<Exchange>
  /**
   * Resolves once the entity is online (again: after a backoff of guard(), say, which runs on
   * its own timers) and settled; rejects after `timeoutMs` (default 5000).
   */
  online(timeoutMs?: number): Promise<void>
  /** Ends a `stop-reading`: the server reads what waits. */
  resume(): Promise<void>
  /** Resolves once the entity has nothing left to do that the test could see. */
  settle(): Promise<void>
  /** Forgets what was written, recorded and closed. */
  clear(): void
  /** Stops the entity (and its reconnect plugin): no socket, no timer left. */
  stop(): Promise<void>
}

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve))
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
/** Rounds without anything happening before `settle` calls the entity idle. */
const IDLE_ROUNDS = 3
const MAX_ROUNDS = 10_000
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
  const current = new AsyncLocalStorage<Exchange>()
  const all = newExchange('')
  const statuses: string[] = []
  let activity = 0
  let openCloses: StreamClose[] = []
  let nextId = 0
  const onlineWaiters: Array<() => void> = []

  const both = (add: (exchange: Exchange) => void) => {
    activity += 1
    add(all)
    const exchange = current.getStore()
    if (exchange !== undefined && exchange !== all) add(exchange)
  }
  const logger = options.logger ?? recordingLogger()
  logger.listen((entry) =>
    both((exchange) => {
      exchange.log.push(entry)
      if (isErrorRecord(entry.object)) exchange.records.push(entry.object)
    }),
  )

  const closed = (close: StreamClose) => {
    openCloses.push(close)
    both((exchange) => exchange.closes.push(close))
  }
  const server = new MemoryServer(kind, domain, options.script ?? [], {
    online: (connection) => {
      activity += 1
      for (const waiter of onlineWaiters.splice(0)) waiter()
      if (connection > 1) for (const close of openCloses) close.after ??= 'reconnect'
      openCloses = []
    },
    wrote: (data) => both((exchange) => exchange.written.push(data)),
    element: (element) => {
      both((exchange) => exchange.elements.push(element))
      if (element.name === 'stream:error') closed(closeOf('entity', element))
    },
    streamError: (element) => closed(closeOf('server', element)),
  })
  installSocket(entity, server)
  if (entity.reconnect) entity.reconnect.delay = options.reconnectDelay ?? 0
  entity.on('status', (status) => {
    activity += 1
    statuses.push(status)
    if (status === 'offline') for (const close of openCloses) close.after ??= 'stop'
  })

  async function settle(): Promise<void> {
    let idle = 0
    for (let round = 0; round < MAX_ROUNDS && idle < IDLE_ROUNDS; round++) {
      const before = activity
      await immediate()
      idle = activity === before ? idle + 1 : 0
      // A reconnect waits on a timer, which setImmediate turns do not reach.
      if (idle === IDLE_ROUNDS && entity.status === 'disconnect' && entity.reconnect) {
        if (entity.reconnect.delay <= 50) {
          await sleep(entity.reconnect.delay + 1)
          idle = activity === before ? idle : 0
        }
      }
    }
  }

  function addressed(stanza: XmlElement | string): XmlElement | string {
    if (typeof stanza === 'string') return stanza
    if (!isElementLike(stanza))
      throw new TypeError('send(): a stanza is an XML element or a string')
    if (stanza.attrs.to === undefined) stanza.attrs.to = entity.jid?.toString() ?? domain
    if (stanza.attrs.from === undefined) stanza.attrs.from = from
    return stanza
  }

  let crashed = false
  function feed(stanza: XmlElement | string): Exchange {
    const exchange = newExchange(stanza)
    const data = addressed(stanza).toString()
    if (server.live === undefined) {
      throw new Error(`send(): the entity is ${entity.status}, not connected; nothing was sent`)
    }
    current.run(exchange, () => {
      try {
        server.push(data)
      } catch (error) {
        exchange.threw = { error }
        crashed = true
      }
    })
    return exchange
  }

  async function send(stanza: XmlElement | string): Promise<Exchange> {
    const exchange = feed(stanza)
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

  async function fault(behaviour: ServerBehaviour): Promise<Exchange> {
    const exchange = newExchange('')
    current.run(exchange, () => server.fault(behaviour))
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
    if (crashed && server.live) server.fault({ behaviour: 'disconnect' })
    await settle()
    if (entity.status !== 'offline') await entity.stop().catch(() => {})
    await settle()
  }

  current.run(all, () => {
    entity.start().catch(() => {})
  })
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
    fault,
    online,
    async resume() {
      server.resume()
      await settle()
    },
    settle,
    clear() {
      for (const list of [all.written, all.elements, all.records, all.log, all.closes]) {
        list.length = 0
      }
    },
    stop,
  }
}

/**
 * A component uses `Socket` (net.Socket) directly; a client picks its transport from
 * `transports` by the service's scheme, so the memory socket goes in as the first transport.
 */
function installSocket(entity: DrivableEntity, server: MemoryServer): void {
  if (Array.isArray(entity.transports)) {
    const tcp = entity.transports.find(
      (t) => typeof t === 'function' && t.prototype?.socketParameters?.('xmpp://h:1') !== undefined,
    ) as (new (...args: never[]) => { Socket: new () => MemorySocket }) | undefined
    if (tcp === undefined)
      throw new Error('attach(): the client has no TCP transport to stand in for')
    const Memory = class extends tcp {}
    Memory.prototype.Socket = server.Socket
    entity.transports.unshift(Memory)
    return
  }
  entity.Socket = server.Socket
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

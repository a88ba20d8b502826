/**
 * The one seam with xmpp.js's internals. Everything in this package that patches an xmpp.js
 * object, reads a field xmpp.js keeps for itself, or recognizes an error by the shape xmpp.js
 * gives it, is here; the rest of the package talks to these functions (test/repo checks it).
 *
 * Each patch names the xmpp.js version and the source line it defends against:
 * `@xmpp/component` 0.13.1 (CommonJS), with `@xmpp/connection` 0.13.3, `@xmpp/connection-tcp`
 * 0.13.3, `@xmpp/reconnect` 0.13.2, `@xmpp/events` 0.13.2 and `@xmpp/iq` 0.13.3, which it
 * depends on. The 0.14 packages (what `@xmpp/client` 0.14 uses) have the same code, at other
 * lines.
 */
import { isXmppError, MAX_TEXT_LENGTH, StanzaError, type XmlElement } from '@xmpp-errors/errors'
import { capped } from './cap.js'
import type { Context, XmppEntity } from './types.js'

// ---- recognizers of xmpp.js's error shapes ----------------------------------------------------

function read<T>(value: unknown, reader: (object: Record<string, unknown>) => T): T | undefined {
  try {
    return typeof value === 'object' && value !== null
      ? reader(value as Record<string, unknown>)
      : undefined
  } catch {
    // A Proxy or a getter that throws: not a shape xmpp.js makes.
    return undefined
  }
}

/**
 * `@xmpp/events` lib/TimeoutError.js: what `promise(…, timeout)` rejects with when nothing
 * answered in time (iqCaller's request, `open()`'s stream header, `sendReceive()`'s handshake).
 * Its message is empty.
 */
export function isTimeoutError(error: unknown): boolean {
  return read(error, (e) => e.name === 'TimeoutError') === true
}

/**
 * `@xmpp/connection` lib/StreamError.js (via `@xmpp/error`): the server's stream error, emitted
 * as 'error' by `_onStreamError` (index.js:115). Its name is the same as ours (which may carry
 * an element too, when parsed): our brand tells them apart.
 */
export function isServerStreamError(error: unknown): boolean {
  if (isXmppError(error)) return false
  return read(error, (e) => e.name === 'StreamError' && e.element !== undefined) === true
}

/** The condition of a stream error of either kind, xmpp.js's or ours. */
export function streamConditionOf(error: unknown): string | undefined {
  return read(error, (e) =>
    e.name === 'StreamError' && typeof e.condition === 'string' ? e.condition : undefined,
  )
}

/** Socket errors while the peer closes the socket under a write: an expected end, not news. */
const SOCKET_CLOSING = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_WRITE_AFTER_END'])

/** Node's socket error codes, as `@xmpp/connection` index.js:77 re-emits them as 'error'. */
export function isSocketClosing(error: unknown): boolean {
  return read(error, (e) => SOCKET_CLOSING.has(e.code as string)) === true
}

/** A reset or a broken pipe: what a server's close under our own stream error looks like. */
export function isSocketReset(error: unknown): boolean {
  return read(error, (e) => e.code === 'ECONNRESET' || e.code === 'EPIPE') === true
}

/**
 * `@xmpp/component-core` lib/Component.js:38: `authenticate()` takes the next element for the
 * answer to its handshake, and throws this when it is not `<handshake/>` (a stream error).
 */
export function isUnexpectedResponse(error: unknown): boolean {
  return read(error, (e) => e.message === 'Unexpected server response') === true
}

// ---- iqCaller's error replies ------------------------------------------------------------------
// @xmpp/iq 0.13.3 as @xmpp/component 0.13.1 installs it (the same code in 0.14.0): caller.js,
// `_route`, settles a pending request with
//   deferred.reject(StanzaError.fromElement(stanza.getChild("error")))
// and @xmpp/error's `fromElement` takes the `<error/>`'s first child element as the condition
// (`condition.name`). An error reply with no child element (XEP-0086's `<error code='404'>Not
// Found</error>`, `<error code='503' type='cancel'/>`) or with no `<error/>` at all throws a
// TypeError there instead: the throw goes to the entity's 'error' event, and the request stays
// pending until its timeout (30 s by default).
// When it does read the reply, @xmpp/error's constructor writes `${condition} - ${text}` into the
// error's `message`, and so its `stack`: the peer's words, whole, in what a handler that wraps
// the error (`new Error('…', { cause })`) hands to a logger, which writes a cause's message and
// stack.

/** An element as a parser makes it, enough to tell one from anything else without throwing. */
function isElement(value: unknown): value is XmlElement {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { attrs?: unknown }).attrs === 'object' &&
    Array.isArray((value as { children?: unknown }).children)
  )
}

/** Whether @xmpp/error's `fromElement` reads the reply without throwing (see above). */
function readableByXmppJs(stanza: XmlElement): boolean {
  const error = stanza.getChild('error')
  return error !== undefined && error.getChildElements().length > 0
}

/**
 * What iqCaller rejects with, through `settleUnreadableReplies`, when the error reply is one
 * xmpp.js cannot read: shaped as xmpp.js's own StanzaError (`name`, `condition`, `text`, `type`,
 * `application`, `element`), read by our parser, so that a handler that catches it reads it as
 * it reads any other; and `stanza`, the reply, since `element` may be absent.
 */
class UnreadableErrorReply extends Error {
  readonly condition: string
  readonly text: string
  readonly type: string
  readonly application: XmlElement | undefined
  readonly element: XmlElement | undefined
  readonly stanza: XmlElement

  constructor(stanza: XmlElement) {
    const element = stanza.getChild('error')
    const read = StanzaError.fromElement(element ?? stanza)
    // No stack: it would say only where xmpp.js's parser was, never who made the request.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(read.condition)
    Error.stackTraceLimit = stackTraceLimit
    this.name = 'StanzaError'
    this.condition = read.condition
    this.text = read.text ?? ''
    this.type = read.type
    this.application = read.application
    this.element = element
    this.stanza = stanza
  }
}

/**
 * xmpp.js's error with its `message` capped, and its `stack` with it: the copies of the peer's
 * text that a logger writes. `text`, `element` and `application` stay whole, for the handler.
 */
function boundedMessage(error: unknown): unknown {
  try {
    if (!(error instanceof Error)) return error
    const { name, message, stack } = error
    const bounded = capped(message, MAX_TEXT_LENGTH)
    if (bounded === message) return error
    const head = `${name}: ${message}`
    error.message = bounded
    error.stack =
      typeof stack === 'string' && stack.startsWith(head)
        ? `${name}: ${bounded}${stack.slice(head.length)}`
        : `${name}: ${bounded}`
  } catch {}
  return error
}

const settled = new WeakSet<object>()

/**
 * Makes iqCaller answer a request at once when its error reply is one xmpp.js cannot read (see
 * above): the request is rejected with an `UnreadableErrorReply`, and the reply then passes the
 * middleware as any other stanza (iqCaller no longer knows its id). An error xmpp.js does read
 * gets its message capped. Once per entity; an entity without xmpp.js's iqCaller is left alone.
 */
export function settleUnreadableReplies(entity: XmppEntity): void {
  if (settled.has(entity)) return
  settled.add(entity)
  const { iqCaller, prependListener } = entity as {
    iqCaller?: { handlers?: unknown }
    prependListener?: unknown
  }
  const handlers = iqCaller?.handlers
  if (!(handlers instanceof Map) || typeof prependListener !== 'function') return
  // First among the 'element' listeners, so before the middleware, whose first route is iqCaller's.
  prependListener.call(entity, 'element', (stanza: unknown) => {
    try {
      if (!isElement(stanza) || stanza.name !== 'iq' || stanza.attrs.type !== 'error') return
      const id = stanza.attrs.id
      const deferred = handlers.get(id) as { reject?: unknown } | undefined
      const reject = deferred?.reject
      if (deferred === undefined || typeof reject !== 'function') return
      if (readableByXmppJs(stanza)) {
        // xmpp.js's route rejects next, with its own error: its message capped on the way.
        deferred.reject = (error: unknown) => reject(boundedMessage(error))
        return
      }
      handlers.delete(id)
      reject(new UnreadableErrorReply(stanza))
    } catch {
      // Whatever this cannot read, xmpp.js's own route gets, as it did without it.
    }
  })
}

/**
 * The error reply behind a request's rejection by iqCaller: xmpp.js's own StanzaError (its
 * `element` is the `<error/>`, whose parent is the reply) or an `UnreadableErrorReply`. Our own
 * StanzaError also has a `name` and an `element`: callers tell it apart first.
 */
export function erroredRequest(
  thrown: unknown,
): { stanza: XmlElement | undefined; error: XmlElement | undefined } | undefined {
  try {
    if (typeof thrown !== 'object' || thrown === null) return undefined
    const { name, element, stanza } = thrown as {
      name?: unknown
      element?: unknown
      stanza?: unknown
    }
    if (name !== 'StanzaError') return undefined
    // An UnreadableErrorReply: the reply itself, with or without an `<error/>`.
    if (isElement(stanza)) return { stanza, error: isElement(element) ? element : undefined }
    if (!isElement(element)) return undefined
    const parent = (element as { parent?: unknown }).parent
    return { stanza: isElement(parent) ? parent : undefined, error: element }
  } catch {
    return undefined
  }
}

// ---- xmpp.js's IQ handler ----------------------------------------------------------------------

/**
 * The request's payload when the middleware runs inside xmpp.js's IQ handler, else undefined.
 * `component()` installs iqCallee first (`@xmpp/iq` callee.js): its handler sets `ctx.element`
 * for an IQ get/set, then wraps what the chain returns into the one reply it sends, and answers
 * `undefined` with service-unavailable, a throw with internal-server-error.
 */
export function iqHandlerPayload(ctx: Context): XmlElement | undefined {
  return ctx.name === 'iq' ? ctx.element : undefined
}

/** Whether the middleware runs inside xmpp.js's IQ handler (see `iqHandlerPayload`). */
export function insideIqHandler(ctx: Context): boolean {
  return iqHandlerPayload(ctx) !== undefined
}

// ---- guard()'s patches of a connection --------------------------------------------------------

/** The socket as `@xmpp/connection` holds it (a net.Socket for `xmpp:` services). */
export interface SocketLike {
  writableLength?: number
  pause?(): unknown
  resume?(): unknown
  once?(event: 'drain', listener: () => void): unknown
  destroy?(): unknown
}

/** The parts of an xmpp.js Connection (and `component()`'s plugins) that guard() patches. */
export interface PatchableConnection {
  emit(event: string | symbol, ...args: unknown[]): boolean
  send(element: XmlElement): Promise<unknown>
  write?(string: string): Promise<unknown>
  start?(): Promise<unknown>
  stop?(): Promise<unknown>
  status?: string
  options?: { service?: string; domain?: string }
  socket?: SocketLike | null
  reconnect?: { stop(): void } | undefined
}

/** What guard() does at each point where it patches xmpp.js. */
export interface ConnectionHooks {
  /** Before each event the connection emits; true swallows it. */
  beforeEmit(event: string | symbol, args: unknown[], emit: () => boolean): boolean
  /** The wire form of an element `send()` writes, in place of ltx's `toString()`. */
  wireForm(element: XmlElement, socket: SocketLike | null | undefined): string
  /** After each `write()`: the socket's queue is known, and `written` settles once flushed. */
  afterWrite(socket: SocketLike, written: Promise<unknown>): void
  /** In place of `start()`; `start` is xmpp.js's. */
  start(start: () => Promise<unknown>): Promise<void>
  /** In place of `stop()`; `stop` is xmpp.js's. */
  stop(stop: () => Promise<unknown>): Promise<unknown>
  /** The service the reconnect plugin connects to next: the configured one, or a redirect's. */
  reconnectService(configured: string | undefined): string | undefined
  /** A reconnect attempt that rejected (`open()`'s TimeoutError: no stream header in time). */
  reconnectFailed(error: unknown): void
}

interface ReconnectPlugin {
  delay?: number
  reconnect?: () => Promise<void>
  emit?(event: string): boolean
}

const patched = new WeakSet<object>()

/**
 * Installs guard()'s patches on the connection, once however often it is called. Each one:
 *
 * - `emit` (`@xmpp/connection` index.js:104, `_onElement`): the parser's 'element' is emitted
 *   synchronously from the socket's 'data' handler, where a throw (a malformed JID parsed by a
 *   listener, a listener's bug) kills the process; and the reconnect plugin's delay must be set
 *   before 'disconnect' reaches it (`@xmpp/reconnect` index.js:44).
 * - `send` (`@xmpp/connection` index.js:311-315, and Component's at component-core
 *   lib/Component.js:23, which fills in `from`): it writes `element.toString()`, ltx's
 *   serializer, which recurses and writes tab/LF/CR in attributes raw. The element is lent a
 *   `toString()` for that one call, so that everything else send() does stays xmpp.js's.
 * - `write` (index.js:324): hands the string to the socket at once, so the queue is known after.
 * - `start` (index.js:205): resolves on 'online' and rejects on the first 'error', whatever
 *   follows; guard() decides when starting has failed.
 * - `stop` (index.js:275): its socket's close resets the status before 'disconnect'
 *   (index.js:68-70), so that a stop() looks like a drop to whoever listens; guard() is told.
 * - `_onSeeOtherHost` (index.js:126): follows the raw text of `<see-other-host/>` at once, with
 *   no delay and to any host, and `parseHost()`'s `new URL()` throws out of it, an unhandled
 *   rejection that ends the process on a malformed host. guard() follows redirects itself.
 * - the reconnect plugin's `reconnect()` (`@xmpp/reconnect` index.js:30): connects to
 *   `entity.options.service` only, and its caller swallows a rejection (an `open()` timeout) and
 *   schedules nothing more, leaving the component in 'opening' for ever.
 */
export function patchConnection(entity: PatchableConnection, hooks: ConnectionHooks): void {
  if (patched.has(entity)) return
  patched.add(entity)

  const emit = entity.emit
  entity.emit = function guardedEmit(this: PatchableConnection, event, ...args) {
    return hooks.beforeEmit(event, args, () => emit.call(this, event, ...args))
  }

  const send = entity.send
  entity.send = async function limitedSend(this: PatchableConnection, element: XmlElement) {
    if (typeof element !== 'object' || element === null) return send.call(this, element)
    let form: string | undefined
    Object.defineProperty(element, 'toString', {
      configurable: true,
      writable: true,
      value: () => {
        form ??= hooks.wireForm(element, this.socket)
        return form
      },
    })
    try {
      return await send.call(this, element)
    } finally {
      delete (element as { toString?: unknown }).toString
    }
  }

  const write = entity.write
  if (typeof write === 'function') {
    entity.write = function throttledWrite(this: PatchableConnection, string: string) {
      const written = write.call(this, string)
      if (this.socket) hooks.afterWrite(this.socket, written)
      return written
    }
  }

  const start = entity.start
  if (typeof start === 'function') {
    entity.start = function guardedStart(this: PatchableConnection) {
      return hooks.start(() => start.call(this))
    }
  }

  const stop = entity.stop
  if (typeof stop === 'function') {
    entity.stop = function guardedStop(this: PatchableConnection) {
      return hooks.stop(() => stop.call(this))
    }
  }

  const internals = entity as unknown as { _onSeeOtherHost?: unknown }
  if (typeof internals._onSeeOtherHost === 'function') {
    internals._onSeeOtherHost = async () => {}
  }

  const plugin = entity.reconnect as ReconnectPlugin | undefined
  if (plugin && typeof plugin.reconnect === 'function') {
    const connection = entity as PatchableConnection & {
      connect(service: string | undefined): Promise<unknown>
      open(options: { domain?: string | undefined; lang?: string | undefined }): Promise<unknown>
    }
    plugin.reconnect = async function steeredReconnect() {
      plugin.emit?.('reconnecting')
      const { service, domain, lang } = (connection.options ?? {}) as {
        service?: string
        domain?: string
        lang?: string
      }
      try {
        await connection.connect(hooks.reconnectService(service))
        await connection.open({ domain, lang })
      } catch (error) {
        hooks.reconnectFailed(error)
        throw error
      }
      plugin.emit?.('reconnected')
    }
  }
}

/** The configured service, as `component({ service })` keeps it. */
export function serviceOf(entity: Partial<PatchableConnection>): string | undefined {
  return entity.options?.service
}

/**
 * The reconnect plugin's delay before its next attempt: read when it schedules one, on
 * 'disconnect' (`@xmpp/reconnect` index.js:15).
 */
export function reconnectDelay(entity: Partial<PatchableConnection>): number | undefined {
  return (entity.reconnect as ReconnectPlugin | undefined)?.delay
}

export function setReconnectDelay(entity: Partial<PatchableConnection>, delay: number): void {
  const plugin = entity.reconnect as ReconnectPlugin | undefined
  if (plugin !== undefined) plugin.delay = delay
}

/**
 * How long xmpp.js waits for the server's stream header and for the answer to the handshake
 * (`@xmpp/connection` index.js:16, `this.timeout`, 2 s).
 */
export function answerTimeout(entity: Partial<PatchableConnection>): number {
  const timeout = (entity as { timeout?: unknown }).timeout
  return typeof timeout === 'number' ? timeout : 2000
}

/**
 * Drops the socket at once. `disconnect()` only ends it and waits for the server to close it,
 * which a server that stopped answering never does: its TimeoutError leaves the status where it
 * was and the reconnect plugin, which waits for 'disconnect', never runs. A destroyed socket
 * closes, and `@xmpp/connection` index.js:68 then resets and emits 'disconnect'.
 */
export function dropSocket(entity: Partial<PatchableConnection>): void {
  try {
    entity.socket?.destroy?.()
  } catch {}
}

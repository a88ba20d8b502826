import { StanzaError, type XmlElement, xmlLike } from '@xmpp-errors/errors'
import { serialize } from './serialize.js'

export interface OutgoingOptions {
  /**
   * Largest stanza the component sends, in bytes of UTF-8. A server closes the stream of a
   * component that sends a larger one than it accepts (Prosody 0.12: 512 KiB,
   * `component_stanza_size_limit`; ejabberd 23.01: `max_stanza_size` of the listener, unlimited
   * by default, 256 KiB for c2s and 512 KiB for s2s in its shipped config), losing every stanza
   * in flight. Default 256,000, below all of these.
   */
  maxStanzaSize: number
  /**
   * Bytes waiting in the socket past which no more stanzas are queued: xmpp.js's `send()` has no
   * backpressure of its own. Reading is paused from a quarter of it (at most 64 KiB) until the
   * socket drains. Default 4 MiB.
   */
  maxQueued: number
}

export const defaultOutgoing: Readonly<OutgoingOptions> = {
  maxStanzaSize: 256_000,
  maxQueued: 4 * 1024 * 1024,
}

export type Refusal = 'stanza-too-large' | 'send-queue-full'

/** Why a stanza was not sent, in words: for the rejection and the record alike. */
export function describeRefusal(reason: Refusal, bytes: number | undefined, limit: number): string {
  if (reason === 'send-queue-full') return `${bytes} bytes already queued, maxQueued is ${limit}`
  const size = bytes === undefined ? `more than ${limit}` : `${bytes}`
  return `stanza of ${size} bytes is over maxStanzaSize (${limit})`
}

const RECORDED = Symbol.for('@xmpp-errors/middleware.recorded')

/** What `send()` rejects with when a stanza is not sent; it has been recorded already. */
export class OutgoingLimitError extends Error {
  readonly reason: Refusal
  /** The stanza's size in bytes (undefined: it was not measured past the limit), or the bytes already queued. */
  readonly bytes: number | undefined
  readonly [RECORDED] = true
  constructor(reason: Refusal, bytes: number | undefined, limit: number) {
    super(`stanza not sent: ${describeRefusal(reason, bytes, limit)}`)
    this.name = 'OutgoingLimitError'
    this.reason = reason
    this.bytes = bytes
  }
}

/** Whether `error` was recorded where it happened, so an 'error' listener need not log it. */
export function wasRecorded(error: unknown): boolean {
  try {
    return typeof error === 'object' && error !== null && (error as never)[RECORDED] === true
  } catch {
    return false
  }
}

interface Socket {
  writableLength?: number
  pause?(): unknown
  resume?(): unknown
  once?(event: 'drain', listener: () => void): unknown
}

/** The parts of xmpp.js's Connection that `send()` is made of. */
export interface WritableEntity {
  send(element: XmlElement): Promise<unknown>
  write(string: string): Promise<unknown>
  emit(event: string | symbol, ...args: unknown[]): boolean
  socket?: Socket | null
  root?: unknown
}

export interface Refused {
  element: XmlElement
  reason: Refusal
  bytes: number | undefined
  /** What was sent instead: the error reply without its echo, or resource-constraint for an IQ. */
  replacement: XmlElement | undefined
  /** The same, in words, for the record. */
  instead: 'the error without its echo' | 'resource-constraint' | 'nothing'

  /** Not a send-queue-full since the socket last drained: later ones are less news. */
  first: boolean
}

const STANZAS = new Set(['iq', 'message', 'presence'])

interface Replacement {
  element: XmlElement
  instead: Refused['instead']
}

/** The reply's addressing: type error, the same from, to and id. */
function errorAttrs(element: XmlElement): Record<string, string> {
  const { from, to, id } = element.attrs
  const attrs: Record<string, string> = { type: 'error' }
  if (typeof from === 'string') attrs.from = from
  if (typeof to === 'string') attrs.to = to
  if (typeof id === 'string') attrs.id = id
  return attrs
}

/**
 * What to send instead of a stanza too large to send, if anything. An error reply loses what it
 * echoed and keeps its `<error/>` (RFC 6120 §8.3.1 makes the echo optional). A reply to an IQ
 * that is still too large becomes `resource-constraint`, as the requester must get an answer
 * (§8.2.3). Anything else is not sent.
 */
function replacementsFor(element: XmlElement): Replacement[] {
  const { type } = element.attrs
  const xml = xmlLike(element)
  const replacements: Replacement[] = []
  if (type === 'error') {
    const error = element.children.find(
      (child): child is XmlElement => typeof child !== 'string' && child.name === 'error',
    )
    if (error) {
      replacements.push({
        element: xml(element.name, errorAttrs(element), error),
        instead: 'the error without its echo',
      })
    }
  }
  if (element.name === 'iq' && (type === 'result' || type === 'error')) {
    const error = new StanzaError('resource-constraint', { stack: false }).toElement({
      like: element,
    })
    replacements.push({
      element: xml('iq', errorAttrs(element), error),
      instead: 'resource-constraint',
    })
  }
  return replacements
}

/**
 * Replaces the entity's `send()` (xmpp.js's Connection: `write(element.toString())`, then the
 * 'send' event) with one that serializes without recursion and escapes tab, LF and CR in
 * attributes (`serialize`), refuses a stanza over `maxStanzaSize` and queues no more than
 * `maxQueued` bytes. `onRefused` records each refusal; `send()` then rejects with an
 * OutgoingLimitError, or sends the error reply that replaces a too-large IQ reply.
 */
export function limitOutgoing(
  entity: WritableEntity,
  options: OutgoingOptions,
  onRefused: (refused: Refused) => void,
): void {
  const { maxStanzaSize, maxQueued } = options
  // Requests read before reading stops are still answered: the lower the mark, the more room
  // their replies have under maxQueued. One chunk from the server holds hundreds of requests.
  const pauseAt = Math.min(maxQueued / 4, 64 * 1024)
  const congested = new WeakSet<object>()
  const paused = new WeakSet<object>()

  function refuse(
    element: XmlElement,
    reason: Refusal,
    bytes: number | undefined,
    socket?: Socket | null,
  ) {
    const first = reason === 'stanza-too-large' || !(socket && congested.has(socket))
    if (socket && reason === 'send-queue-full') congested.add(socket)
    let replacement: (Replacement & { serialized: string }) | undefined
    if (reason === 'stanza-too-large') {
      for (const candidate of replacementsFor(element)) {
        const serialized = serialize(candidate.element, maxStanzaSize)
        if (serialized !== undefined && Buffer.byteLength(serialized) <= maxStanzaSize) {
          replacement = { ...candidate, serialized }
          break
        }
      }
    }
    const instead = replacement?.instead ?? 'nothing'
    onRefused({ element, reason, bytes, replacement: replacement?.element, instead, first })
    return replacement?.serialized
  }

  /** Stops reading from the peer while our own writes are not draining: backpressure. */
  function throttle(socket: Socket) {
    const queued = socket.writableLength ?? 0
    if (queued <= pauseAt || paused.has(socket) || !socket.pause || !socket.once) return
    paused.add(socket)
    socket.pause()
    socket.once('drain', () => {
      paused.delete(socket)
      congested.delete(socket)
      socket.resume?.()
    })
  }

  /**
   * The wire form of `element`, checked against both limits: what xmpp.js's send() writes in
   * place of ltx's `element.toString()`. Throws OutgoingLimitError when nothing may be written.
   */
  function wireForm(self: WritableEntity, element: XmlElement): string {
    if (!STANZAS.has(element.name)) return serialize(element) as string
    // A character is at least a byte of UTF-8: past maxStanzaSize characters, stop serializing.
    const serialized = serialize(element, maxStanzaSize)
    const bytes = serialized === undefined ? undefined : Buffer.byteLength(serialized)
    if (serialized === undefined || (bytes as number) > maxStanzaSize) {
      const replacement = refuse(element, 'stanza-too-large', bytes, self.socket)
      if (replacement === undefined) {
        throw new OutgoingLimitError('stanza-too-large', bytes, maxStanzaSize)
      }
      return replacement
    }
    const queued = self.socket?.writableLength ?? 0
    if (queued + (bytes as number) > maxQueued) {
      refuse(element, 'send-queue-full', queued, self.socket)
      throw new OutgoingLimitError('send-queue-full', queued, maxQueued)
    }
    return serialized
  }

  // xmpp.js's send() (Component's, which fills in `from`, then Connection's) ends in
  // `this.write(element.toString())`: lend the element a toString() for that one call, so that
  // everything else send() does stays xmpp.js's.
  const send = entity.send
  entity.send = async function limitedSend(this: WritableEntity, element: XmlElement) {
    if (typeof element !== 'object' || element === null) return send.call(this, element)
    let form: string | undefined
    Object.defineProperty(element, 'toString', {
      configurable: true,
      writable: true,
      value: () => {
        form ??= wireForm(this, element)
        return form
      },
    })
    try {
      return await send.call(this, element)
    } finally {
      delete (element as { toString?: unknown }).toString
    }
  }

  // write() hands the string to the socket at once, so its queue is known right after.
  const write = entity.write
  entity.write = function throttledWrite(this: WritableEntity, string: string) {
    const written = write.call(this, string)
    if (this.socket) throttle(this.socket)
    return written
  }
}

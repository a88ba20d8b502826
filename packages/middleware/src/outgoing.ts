import { StanzaError, type XmlElement } from '@xmpp-errors/errors'
import { STANZAS } from './decide.js'
import { markRecorded } from './record.js'
import { errorStanza } from './reply.js'
import { serialize } from './serialize.js'
import type { ConnectionHooks, SocketLike } from './xmpp-internals.js'

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

/** What `send()` rejects with when a stanza is not sent; it has been recorded already. */
export class OutgoingLimitError extends Error {
  readonly reason: Refusal
  /** The stanza's size in bytes (undefined: it was not measured past the limit), or the bytes already queued. */
  readonly bytes: number | undefined
  constructor(reason: Refusal, bytes: number | undefined, limit: number) {
    super(`stanza not sent: ${describeRefusal(reason, bytes, limit)}`)
    this.name = 'OutgoingLimitError'
    this.reason = reason
    this.bytes = bytes
    markRecorded(this)
  }
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

interface Replacement {
  element: XmlElement
  instead: Refused['instead']
}

/**
 * What to send instead of a stanza too large to send, if anything. An error reply loses what it
 * echoed and keeps its `<error/>` (RFC 6120 §8.3.1 makes the echo optional). A reply to an IQ
 * that is still too large becomes `resource-constraint`, as the requester must get an answer
 * (§8.2.3). Anything else is not sent.
 */
function replacementsFor(element: XmlElement): Replacement[] {
  const { type } = element.attrs
  const replacements: Replacement[] = []
  if (type === 'error') {
    const error = element.children.find(
      (child): child is XmlElement => typeof child !== 'string' && child.name === 'error',
    )
    if (error) {
      replacements.push({
        element: errorStanza(element, element.attrs.from, element.attrs.to, error),
        instead: 'the error without its echo',
      })
    }
  }
  if (element.name === 'iq' && (type === 'result' || type === 'error')) {
    const error = new StanzaError('resource-constraint', { stack: false }).toElement({
      like: element,
    })
    replacements.push({
      element: errorStanza(element, element.attrs.from, element.attrs.to, error),
      instead: 'resource-constraint',
    })
  }
  return replacements
}

/** The parts of guard()'s hooks (see `patchConnection`) that enforce the limits. */
export type OutgoingHooks = Pick<ConnectionHooks, 'wireForm' | 'afterWrite'>

/**
 * The wire form of each stanza the entity sends, in place of ltx's `toString()`: serialized
 * without recursion, tab, LF and CR escaped in attributes (`serialize`), refused over
 * `maxStanzaSize`, and queued no further than `maxQueued` bytes. `onRefused` records each
 * refusal; `send()` then rejects with an OutgoingLimitError, or sends the error reply that
 * replaces a too-large IQ reply. Reading pauses while the socket's queue is long.
 */
export function limitOutgoing(
  options: OutgoingOptions,
  onRefused: (refused: Refused) => void,
): OutgoingHooks {
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
    socket?: SocketLike | null,
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

  function resume(socket: SocketLike) {
    if (!paused.has(socket) || (socket.writableLength ?? 0) > pauseAt / 2) return
    paused.delete(socket)
    congested.delete(socket)
    socket.resume?.()
  }

  /**
   * Stops reading from the peer while our own writes are not draining: backpressure. Reading
   * resumes as the writes made while paused are flushed, each write's own callback telling so.
   * Not on 'drain': Node emits it only after a write() returned false, that is past the
   * socket's highWaterMark (16 KiB on Node 20, 64 KiB on Node 22), and a pause that starts below
   * it (maxQueued / 4 under 16 KiB) would wait for ever.
   */
  function afterWrite(socket: SocketLike, written: Promise<unknown>) {
    if (!paused.has(socket)) {
      if ((socket.writableLength ?? 0) <= pauseAt || !socket.pause) return
      paused.add(socket)
      socket.pause()
    }
    const check = () => resume(socket)
    written.then(check, check)
  }

  /**
   * The wire form of `element`, checked against both limits: what xmpp.js's send() writes in
   * place of ltx's `element.toString()`. Throws OutgoingLimitError when nothing may be written.
   */
  function wireForm(element: XmlElement, socket: SocketLike | null | undefined): string {
    if (!STANZAS.has(element.name)) return serialize(element) as string
    // A character is at least a byte of UTF-8: past maxStanzaSize characters, stop serializing.
    const serialized = serialize(element, maxStanzaSize)
    const bytes = serialized === undefined ? undefined : Buffer.byteLength(serialized)
    if (serialized === undefined || (bytes as number) > maxStanzaSize) {
      const replacement = refuse(element, 'stanza-too-large', bytes, socket)
      if (replacement === undefined) {
        throw new OutgoingLimitError('stanza-too-large', bytes, maxStanzaSize)
      }
      return replacement
    }
    const queued = socket?.writableLength ?? 0
    if (queued + (bytes as number) > maxQueued) {
      refuse(element, 'send-queue-full', queued, socket)
      throw new OutgoingLimitError('send-queue-full', queued, maxQueued)
    }
    return serialized
  }

  return { wireForm, afterWrite }
}

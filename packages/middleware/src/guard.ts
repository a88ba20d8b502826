import jid from '@xmpp/jid'
import { StanzaError, StreamError, type XmlElement } from '@xmpp-errors/errors'
import { followConnection } from './connection.js'
import { type BackoffOptions, defaultBackoff } from './connection-policy.js'
import { defaultReplyTo, type Outcome, outcome } from './decide.js'
import { normalize } from './normalize.js'
import { defaultOutgoing, describeRefusal, limitOutgoing, type Refused } from './outgoing.js'
import { type ErrorRecord, publish, recordEvent, recordHandled } from './record.js'
import { errorElementFor, replyFor } from './reply.js'
import { type ReportingOptions, reporterFor } from './reporting.js'
import { type AfterStreamError, closeStream } from './stream.js'
import type { XmppEntity } from './types.js'
import { watch } from './watch.js'
import {
  type PatchableConnection,
  patchConnection,
  settleUnreadableReplies,
} from './xmpp-internals.js'

/** `logger`, `onError` and `correlationId` as in errors(); given to one, the other uses them. */
export interface GuardOptions extends ReportingOptions {
  /** After the stream error a malformed `from` causes: reconnect (default) or stop. */
  afterStreamError?: AfterStreamError
  /**
   * A malformed `from` leaves no one to answer. RFC 6120 §4.9.3.7 makes it a stream error,
   * improper-addressing (the default, `'stream-error'`); `'drop'` only logs it.
   */
  malformedFrom?: 'stream-error' | 'drop'
  /** Reconnect delays after a server's stream error: doubling from baseMs (1 s) to maxMs (60 s). */
  backoff?: Partial<BackoffOptions>
  /** Largest stanza sent, in bytes; larger ones are refused (see OutgoingOptions). Default 256,000. */
  maxStanzaSize?: number
  /** Bytes queued in the socket past which stanzas are refused (see OutgoingOptions). Default 4 MiB. */
  maxQueued?: number
  /**
   * Hosts, besides the configured service's, that a server's `see-other-host` may send the
   * component to: `host` (any port) or `host:port`. Default none: a redirect elsewhere is not
   * followed, as the handshake would hand that host what it needs to guess the secret.
   */
  redirectHosts?: readonly string[]
}

/** An entity whose events can be intercepted: any xmpp.js Connection. */
export interface GuardableEntity extends XmppEntity {
  emit(event: string | symbol, ...args: unknown[]): boolean
  start?(): Promise<unknown>
  options?: { service?: string; domain?: string }
}

/** guard()'s own replies: in English, without XEP-0086 codes. */
const ownReply = { by: false, lang: 'en', legacyCodes: false }

const WELL_FORMED_MAX = 1024

/**
 * Which address of an incoming element xmpp.js cannot parse: a checker with its own memory of
 * the addresses that parsed, so that each is parsed once rather than on every stanza (parsing
 * is a third of a stanza's cost in xmpp.js). Bounded, and simply forgotten when full.
 */
export function addressChecker(): (element: unknown) => 'from' | 'to' | undefined {
  const wellFormed = new Set<string>()
  function isMalformed(address: unknown): boolean {
    if (typeof address !== 'string' || address === '' || wellFormed.has(address)) return false
    try {
      jid(address)
    } catch {
      return true
    }
    if (wellFormed.size >= WELL_FORMED_MAX) wellFormed.clear()
    wellFormed.add(address)
    return false
  }
  return (element) => {
    const attrs = (element as { attrs?: Record<string, unknown> } | undefined)?.attrs
    if (typeof attrs !== 'object' || attrs === null) return undefined
    if (isMalformed(attrs.from)) return 'from'
    if (isMalformed(attrs.to)) return 'to'
    return undefined
  }
}

/**
 * Protects a component from what happens before the middleware: a stanza with a malformed JID
 * (answered `jid-malformed` when its sender can be addressed, otherwise the stream is closed with
 * `improper-addressing`), an `'element'` listener that throws, and an `'error'` event with no
 * listener; and follows its connection (see connection.ts): what a server's stream error or
 * silence leads to, with backoff, and where a redirect may go. Apply it once, right after
 * creating the component; it returns the component.
 */
export function guard<E extends GuardableEntity>(entity: E, options: GuardOptions = {}): E {
  // What errors() of this entity was given, where this guard() was not.
  const { logger, onError, nextId } = reporterFor(entity, options)
  const rejected = new WeakSet<object>()
  const faultOf = addressChecker()
  const emitRecord = (record: ErrorRecord) => publish(record, logger, onError)
  watch(entity, { publish: emitRecord, nextId })
  // errors() installs it on the first stanza it sees; a request made before (at start-up, from
  // a timer) would wait for its timeout on a reply xmpp.js cannot read.
  settleUnreadableReplies(entity)
  const connection = followConnection(entity as unknown as PatchableConnection, {
    publish: emitRecord,
    nextId,
    backoff: { ...defaultBackoff, ...options.backoff },
    redirectHosts: options.redirectHosts ?? [],
  })
  const malformed = { streamError: options.malformedFrom === 'drop' ? 'drop' : 'close' } as const

  /** The outcome of a malformed address: the same decision as errors(), on guard()'s error. */
  function outcomeOf(stanza: XmlElement, fault: 'from' | 'to'): Outcome {
    const error =
      fault === 'from'
        ? new StreamError('improper-addressing', {
            text: "a stanza arrived with a malformed 'from' address",
          })
        : new StanzaError('jid-malformed', { text: "malformed 'to' address" })
    return outcome(stanza, normalize(error), { replyTo: defaultReplyTo, malformed })
  }

  function reject(stanza: XmlElement, fault: 'from' | 'to'): void {
    rejected.add(stanza)
    const result = outcomeOf(stanza, fault)
    const { error } = result.normalized
    emitRecord(recordHandled(stanza, error, result.normalized, result, nextId()))
    switch (result.action) {
      case 'drop':
        return
      case 'close':
        closeStream(entity, result.error, options.afterStreamError ?? 'reconnect', {
          like: stanza,
        }).catch(() => {})
        return
      case 'reply': {
        // The address it was sent to is the malformed one: the component answers as itself,
        // `from` and `by` its own address, with no echo.
        const self = entity.jid?.toString() || undefined
        const element = errorElementFor(stanza, result.error, ownReply, self)
        entity.send(replyFor(stanza, element, [], self)).catch(() => {})
      }
    }
  }

  const outgoing = {
    maxStanzaSize: options.maxStanzaSize ?? defaultOutgoing.maxStanzaSize,
    maxQueued: options.maxQueued ?? defaultOutgoing.maxQueued,
  }

  function refused({ element, reason, bytes, replacement, instead, first }: Refused) {
    const limit = reason === 'stanza-too-large' ? outgoing.maxStanzaSize : outgoing.maxQueued
    const error = new StanzaError('resource-constraint', {
      text: `${describeRefusal(reason, bytes, limit)}; sent ${instead} instead`,
      stack: false,
    })
    const result = outcome(element, normalize(error), {
      replyTo: defaultReplyTo,
      refused: { reason, replaced: replacement !== undefined },
    })
    // Past the queue bound every stanza in flight is refused: one record at error is news enough.
    emitRecord(recordHandled(element, error, result.normalized, result, nextId(), !first))
  }

  function onElement(element: unknown, emit: () => boolean): boolean {
    const fault = faultOf(element)
    if (fault !== undefined) {
      reject(element as XmlElement, fault)
      return true
    }
    try {
      return emit()
    } catch (error) {
      // The listener's throw would escape the socket's data handler and end the process.
      emitRecord(
        recordEvent(
          error,
          'error',
          "an 'element' listener threw; the process keeps running",
          nextId(),
        ),
      )
      return true
    }
  }

  patchConnection(entity as unknown as PatchableConnection, {
    ...limitOutgoing(outgoing, refused),
    ...connection,
    beforeEmit(event, args, emit) {
      if (event === 'stanza' && rejected.has(args[0] as object)) return false
      try {
        if (connection.react(event, args)) return true
      } catch (bug) {
        emitRecord(recordEvent(bug, 'error', 'guard() failed to follow the connection', nextId()))
      }
      return event === 'element' ? onElement(args[0], emit) : emit()
    },
  })
  return entity
}

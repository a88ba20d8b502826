import jid from '@xmpp/jid'
import { StanzaError, StreamError, type XmlElement } from '@xmpp-errors/errors'
import { bounce, defaultReplyTo, type Outcome, outcome } from './decide.js'
import { normalize } from './normalize.js'
import {
  defaultOutgoing,
  describeRefusal,
  limitOutgoing,
  type OutgoingOptions,
  type Refused,
  type WritableEntity,
} from './outgoing.js'
import { publish, recordHandled } from './record.js'
import { errorReply, type ReplyOptions } from './reply.js'
import { type ReportingOptions, reporterFor } from './reporting.js'
import {
  type BackoffOptions,
  defaultBackoff,
  type GovernedEntity,
  governServerStreamErrors,
} from './server-stream-error.js'
import { type AfterStreamError, closeStream } from './stream.js'
import type { XmppEntity } from './types.js'
import { watch } from './watch.js'

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
}

/** An entity whose events can be intercepted: any xmpp.js Connection. */
export interface GuardableEntity extends XmppEntity, GovernedEntity {
  emit(event: string | symbol, ...args: unknown[]): boolean
}

/** guard() answers for the component itself (see `Answerer`), with no echo. */
const replyOptions: ReplyOptions = {
  by: false,
  echo: { iq: false, message: false, presence: false, maxLength: 0 },
  lang: 'en',
  legacyCodes: false,
}

const WELL_FORMED_MAX = 1024

/**
 * Which address of an incoming element xmpp.js cannot parse: a checker with its own memory of
 * the addresses that parsed, so that each is parsed once rather than on every stanza (parsing
 * is a third of a stanza's cost in xmpp.js). Bounded, and simply forgotten when full.
 */
function addressChecker(): (element: unknown) => 'from' | 'to' | undefined {
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
 * Which address of an incoming element xmpp.js cannot parse. It parses both before any
 * middleware runs, and a throw there escapes the socket's data handler and kills the process.
 */
export function addressFault(element: unknown): 'from' | 'to' | undefined {
  return addressChecker()(element)
}

/**
 * Protects a component from what happens before the middleware: a stanza with a malformed JID
 * (answered `jid-malformed` when its sender can be addressed, otherwise the stream is closed with
 * `improper-addressing`), an `'element'` listener that throws, and an `'error'` event with no
 * listener. Apply it once, right after creating the component; it returns the component.
 */
export function guard<E extends GuardableEntity>(entity: E, options: GuardOptions = {}): E {
  // What errors() of this entity was given, where this guard() was not.
  const { logger, onError, nextId } = reporterFor(entity, options)
  const rejected = new WeakSet<object>()
  const faultOf = addressChecker()
  watch(entity, logger)
  const beforeEmit = governServerStreamErrors(entity, {
    logger,
    onError,
    backoff: { ...defaultBackoff, ...options.backoff },
    nextId,
  })

  /** The outcome of a malformed address: what errors() would do, with the drop's own reason. */
  function outcomeOf(stanza: XmlElement, fault: 'from' | 'to'): Outcome {
    if (fault === 'from') {
      const error = new StreamError('improper-addressing', {
        text: "a stanza arrived with a malformed 'from' address",
      })
      const normalized = normalize(error)
      // A bounce (an error, or a result) to an address we sent to is no one's request to answer,
      // and closing the stream over it would let anyone who can make us address a JID of their
      // choosing force us to reconnect at will.
      if (options.malformedFrom === 'drop' || bounce(stanza) !== undefined) {
        return { action: 'drop', reason: 'malformed-address', normalized }
      }
      return { action: 'close', error, normalized }
    }
    const error = new StanzaError('jid-malformed', { text: "malformed 'to' address" })
    const result = outcome(stanza, normalize(error), { replyTo: defaultReplyTo })
    if (result.action === 'reply') return result
    return { action: 'drop', reason: 'malformed-address', normalized: result.normalized }
  }

  function reject(stanza: XmlElement, fault: 'from' | 'to'): void {
    rejected.add(stanza)
    const result = outcomeOf(stanza, fault)
    const { error } = result.normalized
    publish(recordHandled(stanza, error, result.normalized, result, nextId()), logger, onError)
    switch (result.action) {
      case 'drop':
        return
      case 'close':
        closeStream(entity, result.error, options.afterStreamError ?? 'reconnect', {
          like: stanza,
        }).catch(() => {})
        return
      case 'reply': {
        // The address it was sent to is the malformed one; answer from the component itself.
        const answerer = { self: entity.jid?.toString() }
        const reply = errorReply(stanza, result.error, replyOptions, undefined, answerer)
        if ('send' in reply) entity.send(reply.send).catch(() => {})
      }
    }
  }

  function refused({ element, reason, bytes, replacement, instead, first }: Refused) {
    const limit = reason === 'stanza-too-large' ? outgoing.maxStanzaSize : outgoing.maxQueued
    const error = new StanzaError('resource-constraint', {
      text: `${describeRefusal(reason, bytes, limit)}; sent ${instead} instead`,
      stack: false,
    })
    const decision = replacement
      ? ({ action: 'reply' } as const)
      : ({ action: 'drop', reason } as const)
    // Past the queue bound every stanza in flight is refused: one record at error is news enough.
    const entry = recordHandled(element, error, normalize(error), decision, nextId(), !first)
    publish(entry, logger, onError)
  }

  const outgoing: OutgoingOptions = {
    maxStanzaSize: options.maxStanzaSize ?? defaultOutgoing.maxStanzaSize,
    maxQueued: options.maxQueued ?? defaultOutgoing.maxQueued,
  }
  if (typeof (entity as Partial<WritableEntity>).write === 'function') {
    limitOutgoing(entity as unknown as WritableEntity, outgoing, refused)
  }

  const emit = entity.emit
  entity.emit = function guardedEmit(this: E, event: string | symbol, ...args: unknown[]) {
    if (event === 'stanza' && rejected.has(args[0] as object)) return false
    if (beforeEmit(event, args)) return true
    if (event !== 'element') return emit.call(this, event, ...args)
    const fault = faultOf(args[0])
    if (fault !== undefined) {
      reject(args[0] as XmlElement, fault)
      return true
    }
    try {
      return emit.call(this, event, ...args)
    } catch (error) {
      // A logger that throws here would throw out of the socket's data handler, as the
      // listener would have.
      try {
        logger.error({ err: error }, "an 'element' listener threw; the process keeps running")
      } catch {}
      return true
    }
  }
  return entity
}

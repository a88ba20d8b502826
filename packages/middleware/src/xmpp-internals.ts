// The one seam with xmpp.js: what this package reads or patches beyond xmpp.js's public API.
// Each export names the xmpp.js version and the source line it defends against; the rest of the
// package talks to these, never to xmpp.js's internals.

import { MAX_TEXT_LENGTH, StanzaError, type XmlElement } from '@xmpp-errors/errors'
import { capped } from './cap.js'
import type { XmppEntity } from './types.js'

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

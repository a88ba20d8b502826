import type { XmlElement } from '@xmpp-errors/errors'

/**
 * The parts of xmpp.js this package touches, typed structurally so that `@xmpp/component` 0.13
 * (CommonJS) and the 0.14 packages both fit, with no `@types/xmpp__*` needed.
 */

/** An address as xmpp.js's contexts hold it (`@xmpp/jid`'s JID) or as a string. */
export interface Address {
  toString(): string
}

/** The connection: a `Component` (or `Client`) from xmpp.js. */
export interface XmppEntity {
  jid?: Address | null | undefined
  status?: string
  send(element: XmlElement): Promise<unknown>
  close?(): Promise<unknown>
  disconnect?(): Promise<unknown>
  stop?(): Promise<unknown>
  /** xmpp.js's reconnect plugin, which `component()` puts on the entity. */
  reconnect?: { stop(): void } | undefined
  on(event: 'error', listener: (error: unknown) => void): unknown
  listenerCount(event: 'error'): number
}

/** The context `@xmpp/middleware` gives each incoming element. */
export interface Context {
  stanza: XmlElement
  entity: XmppEntity
  name: string
  id: string
  type: string
  from: Address | null
  to: Address | null
  /** Set by `iqCallee` to the request's payload: its presence means we run inside its handler. */
  element?: XmlElement | undefined
}

export type Next = () => Promise<unknown>

export type Middleware<C extends Context = Context> = (ctx: C, next: Next) => Promise<unknown>

/** A pino-compatible logger: `logger[level](object, message)`. */
export interface Logger {
  debug(object: object, message: string): void
  warn(object: object, message: string): void
  error(object: object, message: string): void
}

import type { XmlElement } from '@xmpp-errors/errors'
import type { Context } from './types.js'

/**
 * The request's payload when the middleware runs inside xmpp.js's IQ handler, else undefined.
 * `component()` installs iqCallee first: its handler sets `ctx.element` for an IQ get/set, then
 * wraps what the chain returns into the one reply it sends, and answers `undefined` with
 * service-unavailable, a throw with internal-server-error.
 */
export function iqHandlerPayload(ctx: Context): XmlElement | undefined {
  return ctx.name === 'iq' ? ctx.element : undefined
}

/** Whether the middleware runs inside xmpp.js's IQ handler (see `iqHandlerPayload`). */
export function insideIqHandler(ctx: Context): boolean {
  return iqHandlerPayload(ctx) !== undefined
}

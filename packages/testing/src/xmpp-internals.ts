import type { XmlElement } from '@xmpp-errors/errors'
import type { DrivableEntity } from './entity.js'

// Everything this package does to xmpp.js objects beyond their documented API, in one place,
// each with the xmpp.js version and source it relies on (@xmpp/component 0.13.1 with
// @xmpp/connection 0.13.3, @xmpp/client 0.14.0 with @xmpp/connection 0.14.0).

/**
 * Puts the socket in memory under the entity. A component's connection makes its socket with
 * `new this.Socket()` (@xmpp/connection `connect()`; net.Socket, from @xmpp/connection-tcp). A
 * client picks `Transport.prototype.Socket` from `entity.transports`, the first whose
 * `socketParameters(service)` is defined (@xmpp/client-core `Client#_findTransport`), so a
 * subclass of its TCP transport goes first.
 */
export function installSocket(entity: DrivableEntity, Socket: new () => unknown): void {
  if (Array.isArray(entity.transports)) {
    const tcp = entity.transports.find(
      (t) => typeof t === 'function' && t.prototype?.socketParameters?.('xmpp://h:1') !== undefined,
    ) as (new (...args: never[]) => { Socket: unknown }) | undefined
    if (tcp === undefined) {
      throw new Error('attach(): the client has no TCP transport to stand in for')
    }
    const Memory = class extends tcp {}
    Memory.prototype.Socket = Socket
    entity.transports.unshift(Memory)
    return
  }
  entity.Socket = Socket
}

type WithReconnectDelay = { reconnect?: { delay?: number } }

/** The reconnect plugin waits `delay` ms (1000 by default) after a 'disconnect' (@xmpp/reconnect). */
export function setReconnectDelay(entity: DrivableEntity, ms: number): void {
  const { reconnect } = entity as WithReconnectDelay
  if (reconnect) reconnect.delay = ms
}

/** The reconnect plugin's delay now (guard() sets it to its backoff), or Infinity without one. */
export function reconnectDelay(entity: DrivableEntity): number {
  return (entity as WithReconnectDelay).reconnect?.delay ?? Number.POSITIVE_INFINITY
}

/**
 * Hands `element` to the entity as its stream parser does: the connection keeps the parser as
 * `entity.parser` and listens to its 'element' event (@xmpp/connection `_attachParser`).
 */
export function readAsParsed(entity: DrivableEntity, element: XmlElement): void {
  const { parser } = entity as { parser?: { emit(event: 'element', element: XmlElement): void } }
  if (parser === undefined || parser === null) {
    throw new Error('send(): the entity has no stream parser')
  }
  parser.emit('element', element)
}

/** What a net.Socket gives a write after its end: xmpp.js rejects the write with it. */
export function writeAfterEnd(): Error {
  return Object.assign(new Error('write after end'), { code: 'EPIPE' })
}

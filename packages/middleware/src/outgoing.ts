import type { XmlElement } from '@xmpp-errors/errors'
import { serialise } from './serialise.js'

/** The parts of xmpp.js's Connection that `send()` is made of. */
export interface WritableEntity {
  send(element: XmlElement): Promise<unknown>
  write(string: string): Promise<unknown>
  emit(event: string | symbol, ...args: unknown[]): boolean
}

/**
 * Makes the entity's `send()` write what `serialise` makes of an element, rather than ltx's
 * `toString()`: no recursion, and tab, LF and CR in attributes written as character references,
 * so that ids and every other attribute reach the peer byte for byte.
 */
export function serialiseOutgoing(entity: WritableEntity): void {
  // xmpp.js's send() (Component's, which fills in `from`, then Connection's) ends in
  // `this.write(element.toString())`: lend the element a toString() for that one call, so that
  // everything else send() does stays xmpp.js's.
  const send = entity.send
  entity.send = async function serialisedSend(this: WritableEntity, element: XmlElement) {
    if (typeof element !== 'object' || element === null) return send.call(this, element)
    let form: string | undefined
    Object.defineProperty(element, 'toString', {
      configurable: true,
      writable: true,
      value: () => {
        form ??= serialise(element) as string
        return form
      },
    })
    try {
      return await send.call(this, element)
    } finally {
      delete (element as { toString?: unknown }).toString
    }
  }
}

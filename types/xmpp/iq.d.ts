declare module '@xmpp/iq/callee' {
  import type { Connection } from '@xmpp/connection'
  import type { Context, Next } from '@xmpp/middleware'
  import type { Element } from '@xmpp/xml'

  export interface IqContext<E extends Connection = Connection> extends Context<E> {
    /** The iq's single child, the request's payload. */
    element: Element
  }

  /**
   * A route's return value: an `<error/>` element makes a type=error reply, another element is
   * the result's child, any other truthy value an empty result, a falsy one service-unavailable;
   * a throw is emitted as 'error' and answered with internal-server-error.
   */
  export type IqHandler<E extends Connection = Connection> = (
    ctx: IqContext<E>,
    next: Next,
  ) => unknown

  /** The plugin that client() and component() attach as `iqCallee`. */
  export interface IqCallee<E extends Connection = Connection> {
    get(xmlns: string, name: string, handler: IqHandler<E>): void
    set(xmlns: string, name: string, handler: IqHandler<E>): void
  }
}

declare module '@xmpp/iq/caller' {
  import type { Element } from '@xmpp/xml'

  /** The plugin that client() and component() attach as `iqCaller`. */
  export interface IqCaller {
    /** Resolves with the result iq; rejects with a StanzaError on type=error. */
    request(iq: Element, timeoutMs?: number): Promise<Element>
  }
}

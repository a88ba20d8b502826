declare module '@xmpp/middleware' {
  import type { Connection } from '@xmpp/connection'
  import type { JID } from '@xmpp/jid'
  import type { Element } from '@xmpp/xml'

  /** What each middleware gets for an element: `E` is the client or component. */
  export interface Context<E extends Connection = Connection> {
    stanza: Element
    entity: E
    name: string
    id: string
    type: string
    from: JID | null
    to: JID | null
  }

  export type Next = () => Promise<unknown>
  export type Handler<E extends Connection = Connection> = (ctx: Context<E>, next: Next) => unknown

  /** The plugin that client() and component() attach as `middleware`. */
  export interface Middleware<E extends Connection = Connection> {
    /** Incoming; a non-falsy value returned down the chain is sent as the reply. */
    use<F extends Handler<E>>(fn: F): F
  }
}

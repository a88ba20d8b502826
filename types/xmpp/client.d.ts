declare module '@xmpp/client' {
  import type { Connection } from '@xmpp/connection'
  import type { Reconnect } from '@xmpp/reconnect'

  export { jid } from '@xmpp/jid'
  export { type Element, xml } from '@xmpp/xml'

  export interface Credentials {
    username: string
    password: string
  }

  /**
   * Replaces mechanism selection: call `authenticate` with the credentials and one of the offered
   * `mechanisms` (by default @xmpp/client never picks PLAIN on an unencrypted connection).
   */
  export type CredentialsHandler = (
    authenticate: (credentials: Credentials, mechanism: string) => Promise<void>,
    mechanisms: string[],
  ) => Promise<void>

  export interface ClientOptions {
    /** e.g. 'xmpp://127.0.0.1:5222' */
    service: string
    domain?: string
    resource?: string
    credentials?: CredentialsHandler
  }

  export interface Client extends Connection {
    reconnect: Reconnect
  }

  /** A client or a component (which has all a client has), for code that handles either. */
  export type Entity = Client

  export function client(options: ClientOptions): Client
}

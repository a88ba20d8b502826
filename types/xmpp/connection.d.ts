declare module '@xmpp/connection' {
  import type { JID } from '@xmpp/jid'
  import type { Element } from '@xmpp/xml'

  export type Status =
    | 'offline'
    | 'connecting'
    | 'connect'
    | 'opening'
    | 'open'
    | 'online'
    | 'closing'
    | 'close'
    | 'disconnecting'
    | 'disconnect'

  /** The stream and socket that clients and components are made of. */
  export interface Connection {
    status: Status
    jid: JID | null
    start(): Promise<JID>
    /** Closes stream and socket; the reconnect plugin does not reconnect afterwards. */
    stop(): Promise<unknown>
    send(element: Element): Promise<void>
    /** Writes raw text to the socket, e.g. to send malformed XML. */
    write(data: string): Promise<void>

    on(event: 'element' | 'stanza' | 'nonza' | 'send', listener: (element: Element) => void): this
    on(event: 'error', listener: (error: Error) => void): this
    on(event: 'status', listener: (status: Status, ...args: unknown[]) => void): this
    on(event: string, listener: (...args: unknown[]) => void): this
    once(event: string, listener: (...args: unknown[]) => void): this
    off(event: string, listener: (...args: never[]) => void): this
    emit(event: string, ...args: unknown[]): boolean
    listenerCount(event: string): number
  }
}

declare module '@xmpp/component' {
  import type { Connection } from '@xmpp/connection'
  import type { IqCallee } from '@xmpp/iq/callee'
  import type { IqCaller } from '@xmpp/iq/caller'
  import type { Middleware } from '@xmpp/middleware'
  import type { Reconnect } from '@xmpp/reconnect'

  export { jid } from '@xmpp/jid'
  export { xml } from '@xmpp/xml'

  export interface ComponentOptions {
    /** e.g. 'xmpp://127.0.0.1:5347', the server's component port */
    service: string
    /** The component's own domain, as the server configures it */
    domain: string
    /** The shared secret of the XEP-0114 handshake */
    password: string
  }

  export interface Component extends Connection {
    reconnect: Reconnect
    middleware: Middleware<Component>
    iqCaller: IqCaller
    iqCallee: IqCallee<Component>
  }

  export function component(options: ComponentOptions): Component
}

// xmpp.js ships no types. These declare only what the tests use, for @xmpp/client 0.14 (ESM) and
// @xmpp/component 0.13.1 (CommonJS); both build elements with the same ltx 3 Element class.
// Nothing is declared for '@xmpp/xml' because packages/errors declares it: use `xml` from here.

declare module '@xmpp/client' {
  /** An ltx element. */
  export interface Element {
    name: string
    attrs: Record<string, string | undefined>
    children: Array<Element | string>
    parent: Element | null
    is(name: string, xmlns?: string): boolean
    getName(): string
    getNS(): string | undefined
    getAttr(name: string, xmlns?: string): string | undefined
    getChild(name: string, xmlns?: string): Element | undefined
    getChildren(name: string, xmlns?: string): Element[]
    getChildElements(): Element[]
    getChildText(name: string, xmlns?: string): string | null
    getText(): string
    text(): string
    append(...nodes: Array<Element | string>): void
    c(name: string, attrs?: XmlAttrs): Element
    up(): Element
    root(): Element
    clone(): Element
    toString(): string
  }

  /** Values are stringified; null and undefined drop the attribute. */
  export type XmlAttrs = Record<string, string | number | null | undefined>
  /** Arrays are flattened; null, undefined, booleans and '' are skipped. */
  export type XmlChild = Element | string | null | undefined | boolean | XmlChild[]

  export function xml(name: string, attrs?: XmlAttrs | null, ...children: XmlChild[]): Element

  export interface JID {
    local: string
    domain: string
    resource: string
    bare(): JID
    equals(other: JID): boolean
    getLocal(): string
    getDomain(): string
    getResource(): string
    toString(): string
  }

  export function jid(address: string): JID
  export function jid(local: string | null, domain: string, resource?: string): JID

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

  /** What clients and components have in common (an @xmpp/connection). */
  export interface Entity {
    status: Status
    jid: JID | null
    /** Milliseconds for stream open/close and socket close. */
    timeout: number
    start(): Promise<JID>
    /** Closes stream and socket; the reconnect plugin does not reconnect afterwards. */
    stop(): Promise<unknown>
    /** Closes stream and socket; the reconnect plugin reconnects after its delay. */
    disconnect(): Promise<unknown>
    send(element: Element): Promise<void>
    /** Writes raw text to the socket, e.g. to send malformed XML. */
    write(data: string): Promise<void>

    on(event: 'element' | 'stanza' | 'nonza' | 'send', listener: (element: Element) => void): this
    on(event: 'error', listener: (error: Error) => void): this
    on(event: 'online', listener: (jid: JID) => void): this
    on(event: 'status', listener: (status: Status, ...args: unknown[]) => void): this
    on(event: string, listener: (...args: unknown[]) => void): this
    once(event: 'element' | 'stanza' | 'nonza' | 'send', listener: (element: Element) => void): this
    once(event: 'error', listener: (error: Error) => void): this
    once(event: 'online', listener: (jid: JID) => void): this
    once(event: 'status', listener: (status: Status, ...args: unknown[]) => void): this
    once(event: string, listener: (...args: unknown[]) => void): this
    off(event: string, listener: (...args: never[]) => void): this
    removeListener(event: string, listener: (...args: never[]) => void): this
    emit(event: string, ...args: unknown[]): boolean
    listenerCount(event: string): number
    /** xmpp.js's reconnect plugin, which clients and components both have. */
    reconnect: Reconnect
  }

  export interface Reconnect {
    delay: number
    start(): void
    /** Stops reconnecting for good (until start()). */
    stop(): void
    on(event: 'reconnecting' | 'reconnected', listener: () => void): this
  }

  export interface MiddlewareContext<E extends Entity = Entity> {
    stanza: Element
    entity: E
    name: string
    id: string
    type: string
    from: JID | null
    to: JID | null
    local: string
    domain: string
    resource: string
  }

  export type Next = () => Promise<unknown>
  export type MiddlewareFn<E extends Entity = Entity> = (
    ctx: MiddlewareContext<E>,
    next: Next,
  ) => unknown

  export interface Middleware<E extends Entity = Entity> {
    /** Incoming; a non-falsy value returned down the chain is sent as the reply. */
    use<F extends MiddlewareFn<E>>(fn: F): F
    /** Outgoing. */
    filter<F extends MiddlewareFn<E>>(fn: F): F
  }

  export interface IqContext<E extends Entity = Entity> extends MiddlewareContext<E> {
    /** The iq's single child. */
    element: Element
  }

  /**
   * A handler's return value: an `<error/>` element makes a type=error reply, another element is
   * the result's child, any other truthy value an empty result, a falsy one service-unavailable;
   * a throw is emitted as 'error' and answered with internal-server-error.
   */
  export type IqHandler<E extends Entity = Entity> = (ctx: IqContext<E>, next: Next) => unknown

  export interface IqCallee<E extends Entity = Entity> {
    get(xmlns: string, name: string, handler: IqHandler<E>): void
    set(xmlns: string, name: string, handler: IqHandler<E>): void
  }

  export interface IqCaller {
    /** Resolves with the result iq; rejects with a StanzaError on type=error. */
    request(iq: Element, timeoutMs?: number): Promise<Element>
    get(child: Element, to?: string, timeoutMs?: number): Promise<Element | undefined>
    set(child: Element, to?: string, timeoutMs?: number): Promise<Element | undefined>
  }

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
    username?: string
    password?: string
    credentials?: Credentials | CredentialsHandler
    timeout?: number
  }

  export interface Client extends Entity {
    middleware: Middleware<Client>
    iqCaller: IqCaller
    iqCallee: IqCallee<Client>
  }

  export function client(options: ClientOptions): Client
}

declare module '@xmpp/component' {
  import type {
    Element,
    Entity,
    IqCallee,
    IqCaller,
    JID,
    Middleware,
    XmlAttrs,
    XmlChild,
  } from '@xmpp/client'

  export function xml(name: string, attrs?: XmlAttrs | null, ...children: XmlChild[]): Element
  export function jid(address: string): JID
  export function jid(local: string | null, domain: string, resource?: string): JID

  export interface ComponentOptions {
    /** e.g. 'xmpp://127.0.0.1:5347' */
    service: string
    /** The component's own domain, e.g. 'c1.localhost' */
    domain: string
    /** The shared secret of the XEP-0114 handshake */
    password: string
  }

  export interface Component extends Entity {
    middleware: Middleware<Component>
    iqCaller: IqCaller
    iqCallee: IqCallee<Component>
  }

  export function component(options: ComponentOptions): Component
}

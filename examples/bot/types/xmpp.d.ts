// xmpp.js ships no TypeScript types. This declares only what the bot and its demo call, for
// @xmpp/component 0.13.1 (CommonJS), @xmpp/client 0.14 and @xmpp/xml 0.14 (ESM). Elements are
// typed with the structural XmlElement of @xmpp-errors/middleware, contexts with its Context.
//
// It lives outside src/ on purpose: the repository's type-check of all tests together
// (tsconfig.test.json) already declares these three modules elsewhere, and two ambient
// declarations of one module would merge. In a copy of this bot, keep it as it is.

declare module '@xmpp/xml' {
  import type { XmlElement } from '@xmpp-errors/middleware'

  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: Array<XmlElement | string | undefined | null | false>
  ): XmlElement
}

declare module '@xmpp/component' {
  import type { Context, Middleware, XmlElement } from '@xmpp-errors/middleware'

  export interface ComponentOptions {
    /** e.g. 'xmpp://127.0.0.1:5347' */
    service: string
    /** The component's own domain, e.g. 'notes.example.org' */
    domain: string
    /** The shared secret of the XEP-0114 handshake */
    password: string
  }

  export interface Component {
    status: string
    jid: { toString(): string } | null
    start(): Promise<unknown>
    /** Closes stream and socket for good (the reconnect plugin does not reconnect). */
    stop(): Promise<unknown>
    send(element: XmlElement): Promise<void>
    on(event: 'error', listener: (error: Error) => void): this
    on(event: 'online' | 'offline' | 'disconnect', listener: () => void): this
    on(event: 'status', listener: (status: string) => void): this
    emit(event: string | symbol, ...args: unknown[]): boolean
    listenerCount(event: string): number
    reconnect: {
      stop(): void
      on(event: 'reconnecting' | 'reconnected', listener: () => void): unknown
    }
    middleware: { use(fn: Middleware): unknown }
    iqCallee: {
      get(
        ns: string,
        name: string,
        handler: (ctx: Context & { element: XmlElement }) => unknown,
      ): void
      set(
        ns: string,
        name: string,
        handler: (ctx: Context & { element: XmlElement }) => unknown,
      ): void
    }
  }

  export function component(options: ComponentOptions): Component
}

declare module '@xmpp/client' {
  /** An ltx element, as @xmpp/client builds and parses them. */
  export interface Element {
    name: string
    attrs: Record<string, string | undefined>
    children: Array<Element | string>
    getChild(name: string, xmlns?: string): Element | undefined
    getChildElements(): Element[]
    getChildText(name: string, xmlns?: string): string | null
    text(): string
    toString(): string
  }

  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: Array<Element | string | undefined>
  ): Element

  export interface Client {
    status: string
    jid: { toString(): string } | null
    start(): Promise<unknown>
    stop(): Promise<unknown>
    send(element: Element): Promise<void>
    on(event: 'stanza', listener: (stanza: Element) => void): this
    on(event: 'error', listener: (error: Error) => void): this
    off(event: 'stanza', listener: (stanza: Element) => void): this
    reconnect: { stop(): void }
  }

  export interface ClientOptions {
    /** e.g. 'xmpp://127.0.0.1:5222' */
    service: string
    domain: string
    resource?: string
    /** Replaces mechanism selection; @xmpp/client never picks PLAIN on plain TCP by itself. */
    credentials: (
      authenticate: (
        credentials: { username: string; password: string },
        mechanism: string,
      ) => Promise<void>,
      mechanisms: string[],
    ) => Promise<void>
  }

  export function client(options: ClientOptions): Client
}

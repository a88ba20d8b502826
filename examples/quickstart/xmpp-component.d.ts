// @xmpp/component ships no types and there is no @types/xmpp__component: a TypeScript project
// adds this file (anywhere its tsconfig includes) to declare the part of @xmpp/component 0.13 it
// uses. The element, context and entity fit @xmpp-errors/middleware's structural types.
declare module '@xmpp/component' {
  import type { EventEmitter } from 'node:events'

  /** An ltx element, as xmpp.js parses and builds them. */
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
    text(): string
    append(...nodes: Array<Element | string>): Element
    toString(): string
  }

  /** Values are stringified; null and undefined leave the attribute out. */
  export type XmlAttrs = Record<string, string | number | null | undefined>
  /** Arrays are flattened; null, undefined, booleans and '' are skipped. */
  export type XmlChild = Element | string | number | boolean | null | undefined | XmlChild[]

  export function xml(name: string, attrs?: XmlAttrs | null, ...children: XmlChild[]): Element

  export interface JID {
    local: string
    domain: string
    resource: string
    bare(): JID
    toString(): string
  }

  export function jid(address: string): JID

  /** What each middleware gets for an incoming element. */
  export interface Context {
    stanza: Element
    entity: Component
    name: string
    id: string
    type: string
    from: JID | null
    to: JID | null
    local: string
    domain: string
    resource: string
  }

  /** An iqCallee route's context: `element` is the request's payload. */
  export interface IqContext extends Context {
    element: Element
  }

  export type Next = () => Promise<unknown>
  export type Handler<C extends Context = Context> = (ctx: C, next: Next) => unknown

  export interface Component extends EventEmitter {
    jid: JID | null
    status: string
    middleware: { use(fn: Handler): void; filter(fn: Handler): void }
    iqCallee: {
      get(xmlns: string, name: string, handler: Handler<IqContext>): void
      set(xmlns: string, name: string, handler: Handler<IqContext>): void
    }
    iqCaller: {
      request(iq: Element, timeout?: number): Promise<Element>
      get(payload: Element, to?: string, timeout?: number): Promise<Element>
      set(payload: Element, to?: string, timeout?: number): Promise<Element>
    }
    reconnect: { start(): void; stop(): void; delay: number }
    start(): Promise<JID>
    stop(): Promise<void>
    disconnect(): Promise<void>
    send(element: Element): Promise<void>
  }

  export interface ComponentOptions {
    /** `xmpp://host:port` of the server's component port. */
    service: string
    /** The component's domain, as the server configures it. */
    domain: string
    /** The shared secret (XEP-0114). */
    password: string
  }

  export function component(options: ComponentOptions): Component
}

declare module '@xmpp/xml' {
  /** An ltx 3 element, as xmpp.js parses and builds them. */
  export class Element {
    constructor(name: string, attrs?: Record<string, string>)
    name: string
    attrs: Record<string, string | undefined>
    children: Array<Element | string>
    is(name: string, xmlns?: string): boolean
    getName(): string
    getNS(): string | undefined
    getChild(name: string, xmlns?: string): Element | undefined
    getChildren(name: string, xmlns?: string): Element[]
    getChildElements(): Element[]
    getChildText(name: string, xmlns?: string): string | null
    text(): string
    toString(): string
  }

  /** Values are stringified; null and undefined leave the attribute out. */
  export type XmlAttrs = Record<string, string | number | null | undefined>
  /** Arrays are flattened; null, undefined, booleans and '' are skipped. */
  export type XmlChild = Element | string | null | undefined | boolean | XmlChild[]

  export function xml(name: string, attrs?: XmlAttrs | null, ...children: XmlChild[]): Element

  /** The stream parser xmpp.js reads the wire with: 'start' (the header), 'element', 'end'. */
  export class Parser {
    write(data: string): void
    on(event: 'start' | 'element' | 'end', listener: (element: Element) => void): this
    on(event: 'error', listener: (error: Error) => void): this
  }

  export function escapeXML(s: string): string
  export function escapeXMLText(s: string): string
}

declare module '@xmpp/xml/lib/parse.js' {
  import type { Element } from '@xmpp/xml'

  /** The parser xmpp.js reads the wire with: the one root element, null for no input. */
  export default function parse(data: string): Element | null
}

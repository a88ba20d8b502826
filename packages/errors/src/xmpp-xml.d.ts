// @xmpp/xml ships no types; this declares only what the package calls.
declare module '@xmpp/xml' {
  type XmlElement = import('./element.js').XmlElement
  type Child = XmlElement | string | undefined | null | false
  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: Child[]
  ): XmlElement & { append(child: XmlElement | string): XmlElement; clone(): XmlElement }
}

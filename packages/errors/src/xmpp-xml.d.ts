// @xmpp/xml ships no types; this declares only what the package calls.
declare module '@xmpp/xml' {
  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: Array<import('./element.js').XmlElement | string | undefined | null | false>
  ): import('./element.js').XmlElement & {
    append(child: import('./element.js').XmlElement | string): import('./element.js').XmlElement
    clone(): import('./element.js').XmlElement
  }
}

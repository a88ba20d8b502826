// @xmpp/xml ships no types; this declares only what the package calls.
declare module '@xmpp/xml' {
  type XmlElement = import('@xmpp-errors/errors').XmlElement
  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: Array<XmlElement | string | undefined>
  ): XmlElement
}

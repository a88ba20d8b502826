// @xmpp/xml ships no types; this declares only what the package calls.
declare module '@xmpp/xml' {
  export function xml(
    name: string,
    attrs?: Record<string, string> | null,
    ...children: Array<import('@xmpp-errors/errors').XmlElement | string>
  ): import('@xmpp-errors/errors').XmlElement
}

// xmpp.js ships no types; these declare only what the package calls.
declare module '@xmpp/xml' {
  export function xml(
    name: string,
    attrs?: Record<string, string | undefined> | null,
    ...children: Array<import('@xmpp-errors/errors').XmlElement | string | undefined>
  ): import('@xmpp-errors/errors').XmlElement
}

declare module '@xmpp/jid' {
  /** Parses an address; throws a TypeError when its domain part is empty. */
  export default function jid(address: string): {
    bare(): { toString(): string }
    toString(): string
  }
}

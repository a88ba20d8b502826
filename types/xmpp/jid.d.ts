declare module '@xmpp/jid' {
  /** An XMPP address (RFC 7622 §3). */
  export interface JID {
    bare(): JID
    toString(): string
  }

  /** Parses `address`; throws a TypeError when its domain part is empty. */
  export function jid(address: string): JID
  export default jid
}

// xmpp.js ships no types; this declares only what the package calls. Elements are built by
// @xmpp-errors/errors (xmlLike), so this package has no @xmpp/xml of its own.
declare module '@xmpp/jid' {
  /** Parses an address; throws a TypeError when its domain part is empty. */
  export default function jid(address: string): {
    bare(): { toString(): string }
    toString(): string
  }
}

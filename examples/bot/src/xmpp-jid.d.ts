// @xmpp/jid ships no TypeScript types; this declares only what the bot calls.
declare module '@xmpp/jid' {
  export interface JID {
    readonly local: string
    readonly domain: string
    readonly resource: string
    bare(): JID
    toString(): string
  }

  /** Parses `local@domain/resource`. Lenient: it throws only when the domain is empty. */
  export function jid(address: string): JID
}

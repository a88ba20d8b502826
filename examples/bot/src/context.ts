import type { Context, XmlElement } from '@xmpp-errors/middleware'
import { bareOf } from './address.js'

/** What the bot logs through: pino's Logger fits, and so does a test's recorder. */
export interface BotLogger {
  debug(object: object, msg: string): void
  info(object: object, msg: string): void
  warn(object: object, msg: string): void
  error(object: object, msg: string): void
}

/** An `iqCallee` route's context: the request's payload element is set. */
export type IqContext = Context & { element: XmlElement }

/** Who sent the stanza: its bare JID, and whether that is an admin. */
export interface Sender {
  jid: string
  admin: boolean
}

/** An attribute as a string, whatever a peer put there. */
export function attr(element: XmlElement, name: string): string | undefined {
  const value = element.attrs[name]
  return typeof value === 'string' ? value : undefined
}

/**
 * The sender's bare JID as the server wrote it ('' when the server gave none, which a component
 * never sees). Owners and editors are compared on this string, so it is never re-parsed.
 */
export function bareFrom(ctx: Context): string {
  const from = attr(ctx.stanza, 'from')
  return from ? bareOf(from) : ''
}

export function senderOf(ctx: Context, admins: ReadonlySet<string>): Sender {
  const bare = bareFrom(ctx)
  return { jid: bare, admin: bare !== '' && admins.has(bare) }
}

/** The stanza as the errors() middleware records it, so every log line correlates alike. */
export function stanzaSummary(stanza: XmlElement) {
  return {
    name: stanza.name,
    type: attr(stanza, 'type'),
    id: attr(stanza, 'id'),
    from: attr(stanza, 'from'),
    to: attr(stanza, 'to'),
  }
}

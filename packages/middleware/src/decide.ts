import type { XmlElement } from '@xmpp-errors/errors'
import type { XmppError } from './normalise.js'

export type Decision =
  | { action: 'reply' }
  | { action: 'close' }
  | { action: 'drop'; reason: DropReason }

export type DropReason =
  | 'error-stanza'
  | 'iq-result'
  | 'nonza'
  | 'malformed-address'
  | 'rate-limited'
  | 'groupchat'
  | 'headline'
  | 'subscription'
  | 'stanza-too-large'
  | 'send-queue-full'

/**
 * Whether to answer a kind of stanza past RFC 6120's own rules, where answering is allowed but
 * does harm. Each is false by default.
 */
export interface ReplyTo {
  /**
   * A groupchat message a room broadcast to us as an occupant (sent to a full JID). A MUC takes
   * an error from an occupant for a sign that it is gone, and kicks it (XEP-0045 §7.4 and
   * Prosody's, ejabberd's "ghost" handling). A groupchat message to a bare JID, to us as a room,
   * is always answered.
   */
  groupchat: boolean
  /** A headline message: no reply is expected to one (RFC 6121 §5.2.2). */
  headline: boolean
  /**
   * A subscription presence (subscribe, subscribed, unsubscribe, unsubscribed, probe; RFC 6121
   * §3). Available and unavailable presences are always answered: a presence error is how a MUC
   * refuses a join.
   */
  subscription: boolean
}

export const defaultReplyTo: Readonly<ReplyTo> = {
  groupchat: false,
  headline: false,
  subscription: false,
}

const STANZAS = new Set(['iq', 'message', 'presence'])
const SUBSCRIPTIONS = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe'])

/** A full JID has a resource, and '/' can appear in neither a localpart nor a domain. */
function isFullJid(address: unknown): boolean {
  return typeof address === 'string' && address.includes('/')
}

/**
 * Whether an error may be answered, per RFC 6120: never an error to an error (§8.3.1), never a
 * reply to a result (§8.2.3), and nonzas (handshake, stream errors) have no one to answer. Past
 * RFC 6120, and unless `replyTo` says otherwise: no error to a room's broadcast, to a headline,
 * or to a subscription request (see ReplyTo).
 */
export function decide(
  stanza: XmlElement,
  error: XmppError,
  replyTo: Readonly<ReplyTo> = defaultReplyTo,
): Decision {
  if (error.kind === 'stream') return { action: 'close' }
  if (!STANZAS.has(stanza.name)) return { action: 'drop', reason: 'nonza' }
  const type = stanza.attrs.type
  if (type === 'error') return { action: 'drop', reason: 'error-stanza' }
  if (stanza.name === 'iq' && type === 'result') return { action: 'drop', reason: 'iq-result' }
  if (stanza.name === 'message') {
    if (type === 'groupchat' && !replyTo.groupchat && isFullJid(stanza.attrs.to)) {
      return { action: 'drop', reason: 'groupchat' }
    }
    if (type === 'headline' && !replyTo.headline) return { action: 'drop', reason: 'headline' }
  }
  if (stanza.name === 'presence' && !replyTo.subscription && SUBSCRIPTIONS.has(type as string)) {
    return { action: 'drop', reason: 'subscription' }
  }
  return { action: 'reply' }
}

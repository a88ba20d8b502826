import { StanzaError, type StreamError, type XmlElement } from '@xmpp-errors/errors'
import type { Normalized } from './normalize.js'
import type { ErrorRateLimit } from './rate-limit.js'

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

/** The three stanzas (RFC 6120 §8); everything else on a stream is a nonza. */
export const STANZAS: ReadonlySet<string> = new Set(['iq', 'message', 'presence'])
const SUBSCRIPTIONS = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe'])

/**
 * The whole outcome of a handled error: the reply with the error it carries, the stream error
 * that closes the stream, or the reason nothing is sent. `normalized` is what the record tells:
 * the thrown error, or the warning the rate limit sent in its place.
 */
export type Outcome =
  | { action: 'reply'; error: StanzaError; normalized: Normalized }
  | { action: 'close'; error: StreamError; normalized: Normalized }
  | { action: 'drop'; reason: DropReason; normalized: Normalized }

/** What `outcome` weighs besides the stanza and the error. */
export interface Policy {
  replyTo: Readonly<ReplyTo>
  /** The per-sender limit of error replies, when on. */
  limit?: ErrorRateLimit | undefined
  now?: number
  /**
   * guard()'s case: the stanza's own `from` or `to` is malformed. A drop is for that reason, and
   * the stream error closes the stream only when `streamError` says so and the stanza is no
   * bounce: a bounce (an error, or a result) to an address we sent to is no one's request to
   * answer, and closing the stream over it would let anyone who can make us address a JID of
   * their choosing force us to reconnect at will.
   */
  malformed?: { streamError: 'close' | 'drop' } | undefined
  /**
   * guard()'s other case: a stanza the component was sending, refused by its limits. What was
   * sent in its place, if anything, is the reply.
   */
  refused?: { reason: 'stanza-too-large' | 'send-queue-full'; replaced: boolean } | undefined
}

/** A full JID has a resource, and '/' can appear in neither a localpart nor a domain. */
function isFullJid(address: unknown): boolean {
  return typeof address === 'string' && address.includes('/')
}

/**
 * Whether the stanza is a bounce, an answer to something we sent: an error, to which no error
 * may be sent (RFC 6120 §8.3.1), or an IQ result, to which no reply may be sent (§8.2.3).
 */
export function bounce(stanza: XmlElement): 'error-stanza' | 'iq-result' | undefined {
  const type = stanza.attrs.type
  if (type === 'error') return 'error-stanza'
  if (stanza.name === 'iq' && type === 'result') return 'iq-result'
  return undefined
}

/**
 * Whether an error may be answered, per RFC 6120: never an error to an error (§8.3.1), never a
 * reply to a result (§8.2.3), and nonzas (handshake, stream errors) have no one to answer. Past
 * RFC 6120, and unless `replyTo` says otherwise: no error to a room's broadcast, to a headline,
 * or to a subscription request (see ReplyTo).
 */
function answerable(
  stanza: XmlElement,
  replyTo: Readonly<ReplyTo>,
): Exclude<Decision, { action: 'close' }> {
  if (!STANZAS.has(stanza.name)) return { action: 'drop', reason: 'nonza' }
  const reason = bounce(stanza)
  if (reason !== undefined) return { action: 'drop', reason }
  const type = stanza.attrs.type
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

/**
 * The sender the rate limit counts: the bare JID, so that resources share one budget. It is the
 * address up to its first '/' (RFC 7622 §3.1), lower-cased as @xmpp/jid does its localpart and
 * domain; parsing it with @xmpp/jid (XEP-0106 escaping checks, twice) took 4.5 µs an error,
 * twenty times the count itself (bench/README.md, scaling).
 */
function bareSender(stanza: XmlElement): string {
  const from = stanza.attrs.from
  if (typeof from !== 'string') return ''
  const slash = from.indexOf('/')
  return (slash === -1 ? from : from.slice(0, slash)).toLowerCase()
}

/**
 * The one decision on a handled error (and on guard()'s, see `Policy`). A stream error closes
 * the stream (RFC 6120 §4.9); a
 * stanza error is answered where `answerable` allows, within the sender's rate limit: past it a
 * sender gets one `policy-violation` (type wait) in place of the error, then nothing.
 */
export function outcome(stanza: XmlElement, normalized: Normalized, policy: Policy): Outcome {
  const { error } = normalized
  const { malformed, refused } = policy
  if (error.kind === 'stream') {
    if (malformed && (malformed.streamError === 'drop' || bounce(stanza) !== undefined)) {
      return { action: 'drop', reason: 'malformed-address', normalized }
    }
    return { action: 'close', error, normalized }
  }
  if (refused) {
    return refused.replaced
      ? { action: 'reply', error, normalized }
      : { action: 'drop', reason: refused.reason, normalized }
  }
  const decision = answerable(stanza, policy.replyTo)
  if (decision.action !== 'reply') {
    const reason = malformed ? 'malformed-address' : decision.reason
    return { action: 'drop', reason, normalized }
  }
  const { limit } = policy
  const verdict = limit?.check(bareSender(stanza), policy.now ?? Date.now()) ?? 'reply'
  if (verdict === 'reply') return { action: 'reply', error, normalized }
  if (verdict === 'drop') return { action: 'drop', reason: 'rate-limited', normalized }
  const warning = new StanzaError('policy-violation', {
    type: 'wait',
    text: 'too many errors; wait before sending more',
    cause: error,
  })
  return { action: 'reply', error: warning, normalized: { error: warning, unknown: false } }
}

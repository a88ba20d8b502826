import { NS_STANZAS } from '@xmpp-errors/conditions'
import { MAX_TEXT_LENGTH, StanzaError } from '@xmpp-errors/errors'
import { capped, recorded } from './cap.js'
import { erroredRequest } from './xmpp-internals.js'

/**
 * What becomes of an error reply a handler's own request got from another entity and did not
 * catch: `'hide'` answers internal-server-error, `'relay'` answers the same condition and type.
 */
export type UpstreamPolicy = 'hide' | 'relay'

/**
 * The error reply another entity sent to a request of ours, as the log record carries it: what
 * arrived, each field capped as the stanza's are (`MAX_RECORDED_LENGTH`, the text at
 * `MAX_TEXT_LENGTH`), since the peer chose every one of them.
 */
export interface Upstream {
  /** Who answered: the `from` of its error reply. */
  from: string | undefined
  /**
   * The condition the peer sent: its element's name, known or not; the condition its XEP-0086
   * `code` stands for when it sent only a code; undefined when it sent neither (an empty
   * `<error/>`, or an error reply with no `<error/>` at all).
   */
  condition: string | undefined
  /** The XEP-0086 `code` attribute, as sent. */
  code: string | undefined
  type: string | undefined
  /** The peer's text: for the log only, never sent on. */
  text: string | undefined
}

/** The condition the peer named, by element or by code; not the one our reader made of nothing. */
function sentCondition(error: StanzaError): string | undefined {
  if (error.originalCondition !== undefined) return error.originalCondition
  if (error.condition !== 'undefined-condition') return error.condition
  return error.element?.getChild('undefined-condition', NS_STANZAS) ? error.condition : undefined
}

/**
 * The peer's error, parsed by our own reader, with who sent it. The record gets a capped copy
 * of what arrived and never the thrown value itself: xmpp.js copies the peer's text into its
 * error's `message` and `stack`, and a logger's error serializer would write those whole.
 */
export function readUpstream(
  thrown: unknown,
): { upstream: Upstream; error: StanzaError } | undefined {
  const reply = erroredRequest(thrown)
  if (reply === undefined) return undefined
  const error = StanzaError.fromElement(reply.error ?? reply.stanza)
  return {
    error,
    upstream: {
      from: recorded(reply.stanza?.attrs.from),
      condition: recorded(sentCondition(error)),
      code: recorded(reply.error?.attrs.code),
      type: error.type,
      text: error.text === undefined ? undefined : capped(error.text, MAX_TEXT_LENGTH),
    },
  }
}

/**
 * The error to answer the requester with. The peer's text, application element and URI are its
 * own words about its own state (Prosody's "Component unavailable", say): not ours to expose.
 * No `cause`: a logger would write the cause's message and stack, the peer's text, whole; the
 * record's `upstream` says what the peer sent.
 */
export function upstreamReply(peer: StanzaError, policy: UpstreamPolicy) {
  if (policy === 'relay') {
    try {
      return new StanzaError(peer.condition, { type: peer.type, stack: false })
    } catch {
      // A type the condition does not allow: its default type instead.
      return new StanzaError(peer.condition, { stack: false })
    }
  }
  return new StanzaError('internal-server-error', { stack: false })
}

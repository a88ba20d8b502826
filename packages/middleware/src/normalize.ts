import { isXmppError, StanzaError, type StreamError } from '@xmpp-errors/errors'
import { readUpstream, type Upstream, type UpstreamPolicy, upstreamReply } from './upstream.js'
import { isTimeoutError } from './xmpp-internals.js'

export type XmppError = StanzaError | StreamError

/** What the thrown value became, and whether it was one of ours to begin with. */
export interface Normalized {
  error: XmppError
  /** Not a StanzaError or StreamError, nor mapped to one: its details stay in the log. */
  unknown: boolean
  /** The user's `map` threw; the default applied and this is what it threw. */
  mapError?: unknown
  /** An error reply to a request the handler made and did not catch: what the peer said. */
  upstream?: Upstream
}

export type MapError = (thrown: unknown) => XmppError | null | undefined

/**
 * Turns anything a handler can throw into a StanzaError or StreamError. Never throws: a hostile
 * value (a Proxy, a getter that throws) is just an unknown error.
 */
export function normalize(
  thrown: unknown,
  map?: MapError,
  upstreamPolicy: UpstreamPolicy = 'hide',
): Normalized {
  if (isXmppError(thrown)) return { error: thrown, unknown: false }
  let mapError: unknown
  if (map) {
    try {
      const mapped = map(thrown)
      if (isXmppError(mapped)) return { error: mapped, unknown: false }
    } catch (error) {
      mapError = error
    }
  }
  const peer = readUpstream(thrown)
  if (peer !== undefined) {
    // Not unknown: what it was is known, and recorded in `upstream` (capped), not as the thrown
    // value, whose message and stack carry the peer's text whole.
    const error = upstreamReply(peer.error, upstreamPolicy)
    const normalized: Normalized = { error, unknown: false }
    normalized.upstream = peer.upstream
    if (mapError !== undefined) normalized.mapError = mapError
    return normalized
  }
  // iqCaller's TimeoutError: the entity we asked did not answer in time (RFC 6120 §8.3.3.17).
  // No stack of ours: the useful one is the thrown value's own, which the log record carries.
  const error = isTimeoutError(thrown)
    ? new StanzaError('remote-server-timeout', { cause: thrown, stack: false })
    : new StanzaError('internal-server-error', { cause: thrown, stack: false })
  return mapError === undefined
    ? { error, unknown: error.condition === 'internal-server-error' }
    : { error, unknown: error.condition === 'internal-server-error', mapError }
}
